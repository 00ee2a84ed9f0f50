import { usageOf } from '../../../core/logs/usage-json';

const USAGE = { prompt_tokens: 19, completion_tokens: 18, total_tokens: 37 };
const of = (value: unknown): unknown => usageOf(Buffer.from(JSON.stringify(value)));

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

  it('reads spaced and multi-line JSON', () => {
    expect(usageOf(Buffer.from(JSON.stringify({ a: 1, usage: USAGE }, null, 2)))).toEqual(USAGE);
  });

  it('reads multi-byte text around the usage object', () => {
    expect(of({ choices: [{ message: { content: '你好，世界 🌍' } }], usage: USAGE })).toEqual(USAGE);
  });

  it.each([
    ['not JSON', 'oops'],
    ['cut off', '{"usage": {"prompt_tokens": 1'],
    ['empty', ''],
  ])('gives nothing for %s', (_, text) => {
    expect(usageOf(Buffer.from(text))).toBeUndefined();
  });
});
