import type { AnswerFormat } from './answer-format';

/**
 * The events that end a stream whose next text was blocked, in the stream's own format, so every SDK reads
 * a normal, finished answer that says it was filtered:
 *
 * - chat: a chunk with `finish_reason: "content_filter"` for each choice not yet finished, then `[DONE]`
 *   (a value of `finish_reason` in openai-node's `ChatCompletionChunk.Choice`);
 * - completions: the same with `text: ""` (`CompletionChoice.finish_reason` has `content_filter` too);
 * - Responses: `response.incomplete` with `incomplete_details.reason: "content_filter"` (openai-node's
 *   `ResponseIncompleteEvent`, `Response.IncompleteDetails`). Its `response` is the newest snapshot the
 *   stream sent (usually `response.created`'s, without output), which the SDK takes as the final response;
 *   Responses streams have no `[DONE]`;
 * - Anthropic: `content_block_stop` for a block left open, then `message_delta` with `stop_reason:
 *   "refusal"` (what Anthropic's own streaming classifiers send, per its "streaming refusals" guide) and
 *   `message_stop`. `usage.output_tokens` is required by the SDKs and unknown here: 0.
 *
 * An unknown format (no text was ever read, so nothing can have been blocked) gets no events.
 */
export function contentFilterEnding(f: AnswerFormat, now = Date.now()): string {
  switch (f.format) {
    case 'chat':
      return data(chunk(f, 'chat.completion.chunk', now, (index) => ({ index, delta: {} }))) + DONE;
    case 'completion':
      return data(chunk(f, 'text_completion', now, (index) => ({ index, text: '', logprobs: null }))) + DONE;
    case 'responses':
      return event('response.incomplete', {
        type: 'response.incomplete',
        sequence_number: f.sequence + 1,
        response: {
          ...(f.response ?? { object: 'response', output: [] }),
          status: 'incomplete',
          incomplete_details: { reason: 'content_filter' },
        },
      });
    case 'anthropic':
      return (
        [...f.openBlocks]
          .sort((a, b) => a - b)
          .map((index) => event('content_block_stop', { type: 'content_block_stop', index }))
          .join('') +
        event('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: 'refusal', stop_sequence: null },
          usage: { output_tokens: 0 },
        }) +
        event('message_stop', { type: 'message_stop' })
      );
    default:
      return '';
  }
}

const DONE = 'data: [DONE]\n\n';

/** One chunk finishing every choice the client has not seen finish (choice 0 when none was seen). */
function chunk(f: AnswerFormat, object: string, now: number, choice: (index: number) => object): object {
  const open = [...f.choices].filter((i) => !f.finishedOut.has(i)).sort((a, b) => a - b);
  return {
    id: f.id ?? '',
    object,
    created: f.created ?? Math.floor(now / 1000),
    model: f.model ?? '',
    choices: (open.length > 0 ? open : [0]).map((i) => ({ ...choice(i), finish_reason: 'content_filter' })),
  };
}

function data(value: object): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

function event(name: string, value: object): string {
  return `event: ${name}\n${data(value)}`;
}
