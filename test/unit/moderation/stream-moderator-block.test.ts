import type { Check } from '../../../core/moderation/verdict';
import { moderateStream, type Outcome } from '../../../core/moderation/stream-moderator';
import { FORMATS, type Format, Gate, LEAD, bytes, checkBy, events, moderate, settle } from './sse-fixtures';

const TEXTS = ['Fine.', ' Bad', ' stuff.', ' More.'];
const CF = { reason: 'content_filter' };

/** The exact events each format ends with when ' Bad stuff.' is blocked (written out, not computed). */
const ENDING: Record<Format, string> = {
  chat:
    'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o",' +
    '"choices":[{"index":0,"delta":{},"finish_reason":"content_filter"}]}\n\ndata: [DONE]\n\n',
  completion:
    'data: {"id":"cmpl-1","object":"text_completion","created":1700000000,"model":"davinci",' +
    '"choices":[{"index":0,"text":"","logprobs":null,"finish_reason":"content_filter"}]}\n\ndata: [DONE]\n\n',
  responses:
    'event: response.incomplete\ndata: {"type":"response.incomplete","sequence_number":5,"response":' +
    '{"id":"resp_1","object":"response","created_at":1700000000,"model":"gpt-4o","output":[],' +
    `"status":"incomplete","incomplete_details":${JSON.stringify(CF)}}}\n\n`,
  anthropic:
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null},' +
    '"usage":{"output_tokens":0}}\n\n' +
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
};

/** What the client gets: the events before the blocked sentence ("Fine." passed), then the ending. */
const blocked = (format: Format) =>
  events(format, TEXTS)
    .slice(0, LEAD[format] + 1)
    .join('') + ENDING[format];

describe('a blocked sentence', () => {
  it.each(FORMATS)('%s: ends the stream with the format’s content-filter events, once', async (format) => {
    const input = events(format, TEXTS).join('');
    const runs: [(string | Buffer)[], boolean][] = [
      [[input], false],
      [bytes(input), false],
      [bytes(input), true],
    ];
    for (const [chunks, slow] of runs) {
      const onBlocked = jest.fn<void, [Outcome]>();
      const check = checkBy(/Bad/);
      expect(await moderate(chunks, { check, onBlocked }, slow)).toBe(blocked(format));
      expect(onBlocked.mock.calls).toEqual([[{ text: ' Bad stuff.', verdict: 'block' }]]);
    }
  });

  it('waits for the sentences before a refused one: what passed goes out, then the ending, then onBlocked', async () => {
    const out: Buffer[] = [];
    const gate = new Gate();
    let atBlock: string | undefined;
    const t = moderateStream({
      check: gate.check,
      onCheckFailure: () => 'block',
      onBlocked: () => (atBlock = Buffer.concat(out).toString()),
    });
    t.on('data', (c: Buffer) => out.push(c));
    const e = events('chat', TEXTS);
    t.write(e.slice(0, 5).join(''));
    await settle();
    // ' Bad stuff.' is refused before 'Fine.' has its verdict: nothing ends yet, and 'Fine.' is still checked.
    gate.calls[1]?.verdict('block');
    await settle();
    expect(atBlock).toBeUndefined();
    expect(gate.calls[0]?.signal?.aborted).toBe(false);
    gate.calls[0]?.verdict('pass');
    await settle();
    expect(atBlock).toBe(e[0]! + e[1]! + ENDING.chat);
    t.write(e.slice(5).join(''));
    t.end();
    await settle();
    expect(Buffer.concat(out).toString()).toBe(e[0]! + e[1]! + ENDING.chat);
    expect(gate.calls).toHaveLength(2);
  });

  it('cancels the checks still in flight once it blocks', async () => {
    const gate = new Gate();
    const onBlocked = jest.fn();
    const t = moderateStream({ check: gate.check, onCheckFailure: () => 'block', onBlocked });
    t.resume();
    t.write(events('chat', ['Bad one.', ' Next one.', ' Third one.', ' x']).join(''));
    await settle();
    gate.calls[0]?.verdict('block');
    await settle();
    expect(onBlocked).toHaveBeenCalledTimes(1);
    expect(gate.calls.slice(1).every((c) => c.signal?.aborted === true)).toBe(true);
    expect(gate.calls.length).toBeGreaterThan(1);
  });

  it('blocks an unfinished tail checked at [DONE]', async () => {
    const e = events('chat', ['Clean.', ' Bad end']);
    expect(await moderate([e.join('')], { check: checkBy(/Bad/) })).toBe(
      e.slice(0, 2).join('') + ENDING.chat,
    );
  });

  it('finishes every unfinished choice of an n>1 answer', async () => {
    const head = '"id":"c","object":"chat.completion.chunk","created":1,"model":"m"';
    const chunk = (index: number, content: string) =>
      `data: {${head},"choices":[{"index":${index},"delta":{"content":"${content}"},"finish_reason":null}]}\n\n`;
    const input = [chunk(0, 'Good.'), chunk(1, 'Bad.'), chunk(0, ' Fine.'), 'data: [DONE]\n\n'].join('');
    const cf = (i: number) => `{"index":${i},"delta":{},"finish_reason":"content_filter"}`;
    expect(await moderate([input], { check: checkBy(/Bad/) })).toBe(
      `${chunk(0, 'Good.')}data: {${head},"choices":[${cf(0)},${cf(1)}]}\n\ndata: [DONE]\n\n`,
    );
  });
});

describe('the level and failures', () => {
  const input = events('chat', TEXTS).join('');

  it('lets review pass by default, and blocks it when blockOn says so', async () => {
    expect(await moderate([input], { check: checkBy(/Bad/, 'review') })).toBe(input);
    const blockOn = new Set(['review', 'block'] as const);
    expect(await moderate([input], { check: checkBy(/Bad/, 'review'), blockOn })).toBe(blocked('chat'));
  });

  const failing: Check = async (text) => {
    if (text.includes('Bad')) throw new Error('tms down');
    return 'pass';
  };

  it('asks onCheckFailure: pass fails open', async () => {
    const onCheckFailure = jest.fn(() => 'pass' as const);
    const onBlocked = jest.fn();
    expect(await moderate([input], { check: failing, onCheckFailure, onBlocked })).toBe(input);
    expect(onCheckFailure.mock.calls).toEqual([[new Error('tms down')]]);
    expect(onBlocked).not.toHaveBeenCalled();
  });

  it('asks onCheckFailure: block fails closed', async () => {
    const onBlocked = jest.fn<void, [Outcome]>();
    expect(await moderate([input], { check: failing, onCheckFailure: () => 'block', onBlocked })).toBe(
      blocked('chat'),
    );
    expect(onBlocked.mock.calls).toEqual([[{ text: ' Bad stuff.', error: new Error('tms down') }]]);
  });

  it('blocks when onCheckFailure throws, or the check throws before giving a promise', async () => {
    const onCheckFailure = () => {
      throw new Error('oops');
    };
    expect(await moderate([input], { check: failing, onCheckFailure })).toBe(blocked('chat'));
    const throwing: Check = (text) => {
      if (text.includes('Bad')) throw new Error('sync');
      return Promise.resolve('pass');
    };
    expect(await moderate([input], { check: throwing })).toBe(blocked('chat'));
  });
});
