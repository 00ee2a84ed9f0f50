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
