import type { UpstreamHandler } from './upstream';

/** Bodies of OpenAI's chat completions API as the fake upstreams of the tests answer them. */

/** A non-streamed chat completion whose assistant message is `content`. */
export function chatCompletion(content: string, usage?: object): string {
  const message = { role: 'assistant', content };
  return JSON.stringify({
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message, finish_reason: 'stop' }],
    ...(usage && { usage }),
  });
}

/** One SSE event of a streamed chat completion: a content delta, or (delta null) a usage-only chunk. */
export function chatChunk(content: string | null, usage: object | null = null): string {
  const choices = content === null ? [] : [{ index: 0, delta: { content }, finish_reason: null }];
  const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices, usage };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/**
 * A fake chat upstream's handler: `reply` as a chat completion, or, for a request with `"stream": true`,
 * one chunk per piece of `pieces` and `[DONE]`.
 */
export function chatAnswers(reply: string, pieces: readonly string[]): UpstreamHandler {
  return (_req, res, seen) => {
    const body = JSON.parse(seen.body.toString() || '{}') as { stream?: boolean };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(chatCompletion(reply));
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(`${pieces.map((p) => chatChunk(p)).join('')}data: [DONE]\n\n`);
  };
}
