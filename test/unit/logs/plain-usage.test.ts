import fc from 'fast-check';
import { plainUsage } from '../../../core/logs/plain-usage';
import { usageOf } from '../../../core/logs/usage-json';

const OPENAI_USAGE = {
  prompt_tokens: 19,
  completion_tokens: 18,
  total_tokens: 37,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0 },
};
const RESPONSES_USAGE = {
  input_tokens: 36,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 87,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 123,
};
const ANTHROPIC_USAGE = {
  input_tokens: 3,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  output_tokens: 4,
  service_tier: 'standard',
  server_tool_use: null,
};
const chat = (usage: unknown): object => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hi "there" {}' }, finish_reason: 'stop' }],
  usage,
  service_tier: 'default',
  system_fingerprint: 'fp_06737a9306',
});
const read = (body: string): unknown => {
  const usage = plainUsage(Buffer.from(body));
  return usage === undefined ? undefined : JSON.parse(usage.text);
};

// Guards the request log's `usage` (logs/usage-json.ts): the reading without JSON.parse must give the
// same value as JSON.parse would, on one line, or leave the answer to the general reading.
describe('plainUsage', () => {
  it.each([
    ['OpenAI chat completion, compact', JSON.stringify(chat(OPENAI_USAGE)), OPENAI_USAGE],
    // OpenAI sends its answers pretty-printed.
    ['OpenAI chat completion, pretty-printed', JSON.stringify(chat(OPENAI_USAGE), null, 2), OPENAI_USAGE],
    [
      'OpenAI responses',
      JSON.stringify({
        object: 'response',
        output: [{ type: 'message', content: [{ type: 'output_text', text: 'x' }] }],
        usage: RESPONSES_USAGE,
        user: null,
        metadata: {},
      }),
      RESPONSES_USAGE,
    ],
    [
      'Anthropic message',
      JSON.stringify({
        type: 'message',
        content: [{ type: 'text', text: 'x' }],
        usage: ANTHROPIC_USAGE,
      }),
      ANTHROPIC_USAGE,
    ],
    [
      'arrays of objects, numbers of every form',
      '{"usage":{"a":[{"modality":"TEXT","tokenCount":8}],"b":[],"c":-1.5e+3,"d":0,"e":true,"f":{}}}',
      { a: [{ modality: 'TEXT', tokenCount: 8 }], b: [], c: -1500, d: 0, e: true, f: {} },
    ],
  ])('reads %s', (_, body, expected) => {
    expect(read(body)).toEqual(expected);
    expect(plainUsage(Buffer.from(body))?.text).not.toMatch(/\s/);
  });

  it('keeps a compact object as the upstream wrote it', () => {
    const text = '{"prompt_tokens":19,"x":1.50,"details":{"cached_tokens":0}}';
    expect(plainUsage(Buffer.from(`{"usage":${text},"service_tier":"default"}`))?.text).toBe(text);
  });

  it.each([
    ['Gemini usageMetadata', '{"candidates":[],"usageMetadata":{"promptTokenCount":5}}'],
    ['the key inside a string', '{"choices":[{"text":"say \\"usage\\": {\\"a\\":1}"}]}'],
    ['a value that is no object', '{"usage":7}'],
    ['null', '{"usage":null}'],
    ['a string with a space', '{"usage":{"label":"a b"}}'],
    ['a string with an escape', '{"usage":{"label":"a\\"b"}}'],
    ['a string beyond ASCII', '{"usage":{"label":"né"}}'],
    ['objects nested three deep', '{"usage":{"a":{"b":{"c":1}}}}'],
    ['an array inside a nested object', '{"usage":{"b":{"c":[1,2]}}}'],
    ['a number JSON does not allow', '{"usage":{"a":01}}'],
    ['a trailing comma', '{"usage":{"a":1,}}'],
    ['a cut-off answer', '{"usage":{"prompt_tokens":1'],
    ['the key more than 2 KiB from the end', `{"usage":{"a":1},"note":"${'x'.repeat(2100)}"}`],
    ['the key at the very start of the body', '"usage":{"a":1}'],
  ])('leaves %s to the general reading', (_, body) => {
    expect(plainUsage(Buffer.from(body))).toBeUndefined();
  });

  it('reads the last usage key, as the general reading does', () => {
    const body = '{"usage":{"a":1},"x":{"usage":{"b":2}}}';
    expect(read(body)).toEqual({ b: 2 });
    expect(usageOf(Buffer.from(body))?.text).toBe('{"b":2}');
  });

  it('gives the value JSON.parse gives, on one line, for any usage in any layout', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(undefined, 1, 2, '\t'), (usage, indent) => {
        const body = JSON.stringify(chat(usage), null, indent);
        // What the answer says (JSON has no -0, say).
        const value: unknown = JSON.parse(JSON.stringify(usage));
        const fast = plainUsage(Buffer.from(body));
        const general = usageOf(Buffer.from(body));
        if (fast !== undefined) {
          expect(fast.text).not.toMatch(/[\n\r]/);
          expect(JSON.parse(fast.text)).toEqual(value);
        }
        // Whichever reading answers, the log line gets the same value.
        const expected = value === null ? undefined : value;
        expect(general === undefined ? undefined : JSON.parse(general.text)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('reads every usage object of the providers’ shape without JSON.parse', () => {
    const key = fc.stringMatching(/^[a-z_]{1,24}$/);
    const count = fc.nat({ max: 1_000_000 });
    const details = fc.dictionary(key, count, { maxKeys: 4 });
    const usage = fc.dictionary(key, fc.oneof(count, details, fc.constant(null)), { minKeys: 1, maxKeys: 8 });
    fc.assert(
      fc.property(usage, fc.constantFrom(undefined, 2), (u, indent) => {
        expect(read(JSON.stringify(chat(u), null, indent))).toEqual(u);
      }),
    );
  });

  it('never throws, and answers only with JSON on one line, whatever the bytes', () => {
    const body = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc
        .array(fc.constantFrom('"usage"', ':', '{', '}', '[', ']', ',', '"a"', '1', ' ', '\n', '\\', '"'), {
          maxLength: 40,
        })
        .map((parts) => `{"usage"${parts.join('')}`),
    );
    fc.assert(
      fc.property(body, (text) => {
        const usage = plainUsage(Buffer.from(text));
        if (usage !== undefined) {
          expect(usage.text).not.toMatch(/[\n\r]/);
          expect(() => JSON.parse(usage.text)).not.toThrow();
        }
      }),
      { numRuns: 2000 },
    );
  });
});
