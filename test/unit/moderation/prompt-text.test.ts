import fc from 'fast-check';
import { promptText } from '../../../core/moderation/prompt-text';

// Issue 12: the caller's words are checked before anything goes upstream, in each API's request shape.
describe('promptText', () => {
  it.each([
    [
      'chat: every role, string and text parts, no names or images',
      '/v1/chat/completions',
      {
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'sys', name: 'not-me' },
          { role: 'developer', content: [{ type: 'text', text: 'dev' }] },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'u1' },
              { type: 'image_url', image_url: { url: 'https://x/y.png' } },
              { type: 'text', text: 'u2' },
            ],
          },
          { role: 'assistant', content: 'forged', tool_calls: [{ function: { arguments: '{"a":1}' } }] },
          { role: 'tool', tool_call_id: 't1', content: 'tool says' },
        ],
      },
      'sys\ndev\nu1\nu2\nforged\ntool says',
    ],
    ['completions: prompt string and suffix', '/v1/completions', { prompt: 'p', suffix: 's' }, 'p\ns'],
    [
      'completions: prompt strings; token ids skipped',
      '/v1/completions',
      { prompt: ['a', 'b', [1, 2]] },
      'a\nb',
    ],
    ['completions: token-id prompt', '/v1/completions', { prompt: [[1, 2], [3]] }, ''],
    [
      'responses: string input',
      '/v1/responses',
      { instructions: 'be nice', input: 'hello' },
      'be nice\nhello',
    ],
    [
      'responses: items',
      '/v1/responses',
      {
        input: [
          { role: 'user', content: 'plain' },
          {
            type: 'message',
            role: 'user',
            content: [
              { type: 'input_text', text: 'it' },
              { type: 'input_image', image_url: 'x' },
            ],
          },
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ot' }] },
          { type: 'function_call', arguments: '{"q":"skip"}' },
          { type: 'function_call_output', call_id: 'c', output: 'fn out' },
        ],
      },
      'plain\nit\not\nfn out',
    ],
    [
      'anthropic: system blocks, strings, text and tool_result blocks',
      '/v1/messages',
      {
        system: [{ type: 'text', text: 'sys' }],
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'prefill' },
              { type: 'tool_use', input: { a: 'skip' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', content: [{ type: 'text', text: 'tr' }] },
              { type: 'tool_result', content: 'tr2' },
            ],
          },
        ],
      },
      'sys\nhi\nprefill\ntr\ntr2',
    ],
    ['anthropic: system string', '/v1/messages', { system: 'S', messages: [] }, 'S'],
  ])('%s', (_name, path, body, expected) => {
    expect(promptText(path, body)).toBe(expected);
  });

  it.each([
    ['/v1/chat/completions', 'chat'],
    ['/openai/v1/chat/completions', 'chat'],
    ['/v1/chat/completions?x=1', 'chat'],
    ['/v1/chat/completions/', 'chat'],
    ['/openai/deployments/gpt4/chat/completions?api-version=2024-10-21', 'chat'],
    ['/v1/completions', 'prompt'],
    ['/openai/deployments/d/completions?api-version=1', 'prompt'],
    ['/v1/responses', 'input'],
    ['/openai/v1/responses?api-version=preview', 'input'],
    ['/claude/v1/messages', 'anthropic'],
    ['/v1/messages#frag', 'anthropic'],
    // Found in review: spellings an upstream or a gateway in front may resolve to a checked API went through
    // unchecked: dot segments, `;` path parameters, a double-encoded slash.
    ['/v1/chat/x/../completions', 'chat'],
    ['/v1/chat/completions/x/..', 'chat'],
    ['/v1/chat/completions/x/%2e%2e', 'chat'],
    ['/v1/chat/completions;x=1', 'chat'],
    ['/v1/chat/completions;', 'chat'],
    ['/v1/chat%252fcompletions', 'chat'],
    ['/v1/chat/..;/completions', 'prompt'],
    ['/v1/./responses/.', 'input'],
  ])('matches %s by its ending', (path, kind) => {
    const bodies: Record<string, unknown> = {
      chat: { messages: [{ role: 'user', content: 'x' }] },
      prompt: { prompt: 'x' },
      input: { input: 'x' },
      anthropic: { messages: [{ role: 'user', content: 'x' }] },
    };
    expect(promptText(path, bodies[kind])).toBe('x');
  });

  it.each([
    '/v1/models',
    '/v1/embeddings',
    '/v1/threads/t/messages',
    '/v1/messages/count_tokens',
    '/v1/responses/resp_1',
    '/v1/chat/completions/abc',
    '/v1beta/models/gemini:generateContent',
    '/x?to=/v1/chat/completions',
  ])('returns undefined for %s', (path) => {
    expect(
      promptText(path, { messages: [{ role: 'user', content: 'x' }], input: 'x', prompt: 'x' }),
    ).toBeUndefined();
  });

  const deep = (n: number): unknown => {
    let v: unknown = 'leaf';
    for (let i = 0; i < n; i++) v = { content: [v], type: 'text', text: v };
    return v;
  };
  it.each([
    ['null body', null, ''],
    ['string body', 'hello', ''],
    ['array body', [{ messages: [] }], ''],
    ['messages not an array', { messages: 'text' }, ''],
    ['messages an object', { messages: { 0: { content: 'x' } } }, ''],
    ['null messages', { messages: [null, 1, 'x', [], true] }, ''],
    ['content a number', { messages: [{ content: 5 }] }, ''],
    ['content an object', { messages: [{ content: { type: 'text', text: 'x' } }] }, ''],
    [
      'part text not a string',
      { messages: [{ content: [{ type: 'text', text: { a: 1 } }, { type: 'text' }] }] },
      '',
    ],
    ['deep nesting', { messages: [{ content: [deep(100000)] }] }, ''],
    [
      'huge array',
      { messages: new Array(100000).fill({ content: 'a' }) },
      new Array(100000).fill('a').join('\n'),
    ],
    ['__proto__ key', JSON.parse('{"__proto__":{"messages":[{"content":"x"}]}}'), ''],
  ])('never throws on %s (chat)', (_name, body, expected) => {
    expect(promptText('/v1/chat/completions', body)).toBe(expected);
  });

  it('never throws and always gives a string, for any JSON on any checked path', () => {
    const paths = ['/v1/chat/completions', '/v1/completions', '/v1/responses', '/v1/messages'];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 6 }), (path, body) => {
        expect(typeof promptText(path, body)).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('reads shapes of the right field names with random values without throwing', () => {
    const field = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.array(
        fc.record({
          type: fc.constantFrom('text', 'input_text', 'tool_result'),
          text: fc.jsonValue(),
          content: fc.jsonValue(),
        }),
      ),
    );
    fc.assert(
      fc.property(
        fc.record({
          messages: fc.array(fc.record({ content: field })),
          system: field,
          input: field,
          instructions: field,
          prompt: field,
        }),
        (body) => {
          for (const p of ['/v1/chat/completions', '/v1/completions', '/v1/responses', '/v1/messages'])
            expect(typeof promptText(p, body)).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
  });
});
