import type { Check, Verdict } from '../../../core/moderation/verdict';
import { moderateStream, type StreamModeratorOptions } from '../../../core/moderation/stream-moderator';

/** Streams as the four APIs send them, as lists of whole events (each ending with its blank line). */
export type Format = 'chat' | 'completion' | 'responses' | 'anthropic';
export const FORMATS: Format[] = ['chat', 'completion', 'responses', 'anthropic'];

const data = (v: unknown, sep: string) => `data: ${JSON.stringify(v)}${sep}${sep}`;
const named = (name: string, v: unknown, sep: string) => `event: ${name}${sep}${data(v, sep)}`;

export const CHAT_HEAD = {
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1700000000,
  model: 'gpt-4o',
};
export const COMPLETION_HEAD = {
  id: 'cmpl-1',
  object: 'text_completion',
  created: 1700000000,
  model: 'davinci',
};
export const RESPONSE = {
  id: 'resp_1',
  object: 'response',
  created_at: 1700000000,
  model: 'gpt-4o',
  output: [],
};

export function events(format: Format, texts: string[], sep = '\n'): string[] {
  switch (format) {
    case 'chat':
      return [
        data(
          {
            ...CHAT_HEAD,
            choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
          },
          sep,
        ),
        ...texts.map((t) =>
          data({ ...CHAT_HEAD, choices: [{ index: 0, delta: { content: t }, finish_reason: null }] }, sep),
        ),
        data({ ...CHAT_HEAD, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }, sep),
        `data: [DONE]${sep}${sep}`,
      ];
    case 'completion':
      return [
        ...texts.map((t) =>
          data(
            { ...COMPLETION_HEAD, choices: [{ text: t, index: 0, logprobs: null, finish_reason: null }] },
            sep,
          ),
        ),
        data(
          { ...COMPLETION_HEAD, choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }] },
          sep,
        ),
        `data: [DONE]${sep}${sep}`,
      ];
    case 'responses': {
      let n = 0;
      const ev = (type: string, v: object) => named(type, { type, sequence_number: n++, ...v }, sep);
      const at = { item_id: 'msg_1', output_index: 0, content_index: 0 };
      const item = { id: 'msg_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] };
      const part = { type: 'output_text', text: '', annotations: [] };
      return [
        ev('response.created', { response: { ...RESPONSE, status: 'in_progress' } }),
        ev('response.in_progress', { response: { ...RESPONSE, status: 'in_progress' } }),
        ev('response.output_item.added', { output_index: 0, item }),
        ev('response.content_part.added', { ...at, part }),
        ...texts.map((delta) => ev('response.output_text.delta', { ...at, delta, logprobs: [] })),
        ev('response.output_text.done', { ...at, text: texts.join(''), logprobs: [] }),
        ev('response.completed', { response: { ...RESPONSE, status: 'completed' } }),
      ];
    }
    case 'anthropic':
      return [
        named(
          'message_start',
          {
            type: 'message_start',
            message: {
              id: 'msg_1',
              type: 'message',
              role: 'assistant',
              content: [],
              model: 'claude',
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: 5, output_tokens: 1 },
            },
          },
          sep,
        ),
        named(
          'content_block_start',
          { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
          sep,
        ),
        named('ping', { type: 'ping' }, sep),
        ...texts.map((text) =>
          named(
            'content_block_delta',
            { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
            sep,
          ),
        ),
        named('content_block_stop', { type: 'content_block_stop', index: 0 }, sep),
        named(
          'message_delta',
          {
            type: 'message_delta',
            delta: { stop_reason: 'end_turn', stop_sequence: null },
            usage: { output_tokens: 9 },
          },
          sep,
        ),
        named('message_stop', { type: 'message_stop' }, sep),
      ];
  }
}

/** How many events come before the first text event, per format. */
export const LEAD: Record<Format, number> = { chat: 1, completion: 0, responses: 4, anthropic: 3 };

/** A check whose verdicts the test gives, one call at a time. */
export class Gate {
  readonly calls: {
    text: string;
    signal: AbortSignal | undefined;
    verdict: (v: Verdict) => void;
    fail: (e: unknown) => void;
  }[] = [];
  readonly check: Check = (text, signal) =>
    new Promise<Verdict>((verdict, fail) => this.calls.push({ text, signal, verdict, fail }));
}

/** A check that answers after a microtask: `block` for texts matching `bad`, `pass` otherwise. */
export function checkBy(bad: RegExp, verdict: Verdict = 'block'): Check & { texts: string[] } {
  const texts: string[] = [];
  const check = async (text: string) => {
    texts.push(text);
    await Promise.resolve();
    return bad.test(text) ? verdict : 'pass';
  };
  return Object.assign(check, { texts });
}

/** Lets pending promises and immediates run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));

/** The moderator's whole output for `chunks`, written one by one with a settle in between when `slow`. */
export async function moderate(
  chunks: (string | Buffer)[],
  options: Partial<StreamModeratorOptions> & Pick<StreamModeratorOptions, 'check'>,
  slow = false,
): Promise<string> {
  const t = moderateStream({ onBlocked: () => undefined, onCheckFailure: () => 'block', ...options });
  const out: Buffer[] = [];
  t.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((resolve) => t.once('end', resolve));
  for (const c of chunks) {
    t.write(typeof c === 'string' ? Buffer.from(c) : c);
    if (slow) await settle();
  }
  t.end();
  await ended;
  return Buffer.concat(out).toString('utf8');
}

/** `text` cut into Buffers at every byte. */
export function bytes(text: string): Buffer[] {
  return [...Buffer.from(text)].map((b) => Buffer.from([b]));
}
