import { usageOf } from '../../../core/logs/usage-json';

const USAGE = { prompt_tokens: 19, completion_tokens: 18, total_tokens: 37 };
/** The usage as the log line writes it, read back. */
const read = (body: Buffer): unknown => {
  const usage = usageOf(body);
  return usage === undefined ? undefined : JSON.parse(usage.text);
};
const of = (value: unknown): unknown => read(Buffer.from(JSON.stringify(value)));

// Guards the request log's `usage` field (logs/answer-tap.ts), read from a part of the body only.
describe('usageOf', () => {
  it.each([
    [
      'OpenAI chat completion',
      { id: 'c', choices: [{ message: { content: 'hi' } }], usage: USAGE, service_tier: 'default' },
      USAGE,
    ],
    [
      'nested details',
      { usage: { ...USAGE, prompt_tokens_details: { cached_tokens: 0 } } },
      { ...USAGE, prompt_tokens_details: { cached_tokens: 0 } },
    ],
    [
      'Anthropic message',
      {
        type: 'message',
        content: [{ type: 'text', text: 'x' }],
        usage: { input_tokens: 3, output_tokens: 4 },
      },
      { input_tokens: 3, output_tokens: 4 },
    ],
    [
      'Gemini',
      { candidates: [], usageMetadata: { promptTokenCount: 5, totalTokenCount: 9 } },
      { promptTokenCount: 5, totalTokenCount: 9 },
    ],
    ['no usage', { id: 'x', choices: [] }, undefined],
    [
      '"usage" only inside a string',
      { choices: [{ message: { content: 'what is "usage": {"a":1}?' } }] },
      undefined,
    ],
    [
      '"usage" inside a string after the real key',
      { usage: USAGE, note: 'the "usage": {"x":1} field' },
      USAGE,
    ],
    ['braces and quotes inside usage strings', { usage: { label: 'a}"{b', n: 1 } }, { label: 'a}"{b', n: 1 }],
    ['usage that is not an object', { usage: 7 }, 7],
    ['null usage', { usage: null }, undefined],
  ])('%s', (_, body, expected) => {
    expect(of(body)).toEqual(expected);
  });

  it('reads spaced and multi-line JSON, and writes it again on one line', () => {
    const usage = usageOf(Buffer.from(JSON.stringify({ a: 1, usage: USAGE }, null, 2)));
    expect(usage?.text).toBe(JSON.stringify(USAGE));
  });

  // The log line carries a compact usage object as the upstream wrote it, without parsing it only to write
  // it again (logs/request-log.ts): the text must still be the JSON of the same value.
  it('keeps a compact usage object as the upstream wrote it', () => {
    const text = '{"prompt_tokens":19,"label":"a b","details":{"cached_tokens":0},"x":1.50}';
    const usage = usageOf(Buffer.from(`{"id":"c","usage":${text},"service_tier":"default"}`));
    expect(usage?.text).toBe(text);
    expect(JSON.stringify({ usage })).toBe(JSON.stringify({ usage: JSON.parse(text) }));
  });

  it('writes usage that is not compact JSON again, on one line', () => {
    const body = '{"usage":{"a" :1,\n"b":\t{"c": [1, 2]}}}';
    expect(usageOf(Buffer.from(body))?.text).toBe('{"a":1,"b":{"c":[1,2]}}');
  });

  it('reads multi-byte text around the usage object', () => {
    expect(of({ choices: [{ message: { content: '你好，世界 🌍' } }], usage: USAGE })).toEqual(USAGE);
  });

  it.each([
    ['not JSON', 'oops'],
    ['cut off', '{"usage": {"prompt_tokens": 1'],
    ['empty', ''],
  ])('gives nothing for %s', (_, text) => {
    expect(read(Buffer.from(text))).toBeUndefined();
  });
});
