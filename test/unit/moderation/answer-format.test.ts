import { AnswerFormat } from '../../../core/moderation/answer-format';
import { worst, type Verdict } from '../../../core/moderation/verdict';

const read = (data: string | undefined, f = new AnswerFormat()) => f.read({ event: undefined, data });

describe('AnswerFormat.read', () => {
  it.each<[string, string, [string, string][]]>([
    ['chat content', '{"choices":[{"index":0,"delta":{"content":"hi"}}]}', [['c0', 'hi']]],
    [
      'chat reasoning apart from content',
      '{"choices":[{"index":1,"delta":{"reasoning_content":"think","content":"say"}}]}',
      [
        ['c1', 'say'],
        ['r1', 'think'],
      ],
    ],
    ['chat reasoning (OpenRouter)', '{"choices":[{"index":0,"delta":{"reasoning":"r"}}]}', [['r0', 'r']]],
    [
      'chat tool call arguments are not text',
      '{"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"x"}}]}}]}',
      [],
    ],
    ['completion text', '{"object":"text_completion","choices":[{"index":2,"text":"t"}]}', [['c2', 't']]],
    [
      'responses output text',
      '{"type":"response.output_text.delta","output_index":1,"content_index":0,"delta":"d"}',
      [['o1:0', 'd']],
    ],
    [
      'responses reasoning summary',
      '{"type":"response.reasoning_summary_text.delta","output_index":0,"summary_index":2,"delta":"s"}',
      [['s0:2', 's']],
    ],
    [
      'responses function arguments are not text',
      '{"type":"response.function_call_arguments.delta","output_index":0,"delta":"{}"}',
      [],
    ],
    [
      'anthropic text',
      '{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"a"}}',
      [['b3', 'a']],
    ],
    [
      'anthropic thinking',
      '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"th"}}',
      [['b0', 'th']],
    ],
    [
      'anthropic tool input is not text',
      '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{}"}}',
      [],
    ],
    ['empty deltas are no text', '{"choices":[{"delta":{"content":""}}]}', []],
  ])('%s', (_name, data, deltas) => {
    expect(read(data)?.deltas.map((d) => [d.key, d.text])).toEqual(deltas);
  });

  it.each([undefined, '', 'not json', '{bad', '[1,2]', '"str"', 'null', '{"no":"choices"}'])(
    'reads nothing from %j',
    (data) => {
      expect(read(data)?.deltas ?? []).toEqual([]);
    },
  );

  it('knows [DONE] and the format, and keeps the first non-empty id', () => {
    const f = new AnswerFormat();
    expect(read('[DONE]', f)?.done).toBe(true);
    read('{"id":"","object":"","choices":[]}', f); // Azure's prompt-filter chunk comes first
    expect(f.format).toBeUndefined();
    read('{"id":"x","model":"m","created":5,"choices":[{"delta":{"content":"a"}}]}', f);
    read('{"id":"y","model":"n","created":6,"choices":[{"delta":{"content":"a"}}]}', f);
    expect([f.format, f.id, f.model, f.created]).toEqual(['chat', 'x', 'm', 5]);
  });

  it('takes the Responses snapshot and Anthropic blocks only once sent', () => {
    const f = new AnswerFormat();
    const created = read(
      '{"type":"response.created","sequence_number":0,"response":{"id":"r","output":[]}}',
      f,
    );
    const done = read(
      '{"type":"response.completed","sequence_number":9,"response":{"id":"r","output":["all"]}}',
      f,
    );
    expect(f.response).toBeUndefined();
    if (created) f.written(created);
    expect([f.response, f.sequence]).toEqual([{ id: 'r', output: [] }, 0]);
    if (done) f.written(done);
    expect([f.response, f.sequence]).toEqual([{ id: 'r', output: ['all'] }, 9]);
    const start = read(
      '{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}',
      f,
    );
    if (start) f.written(start);
    expect([...f.openBlocks]).toEqual([1]);
  });
});

describe('worst', () => {
  it.each<[Verdict, Verdict, Verdict]>([
    ['pass', 'pass', 'pass'],
    ['pass', 'review', 'review'],
    ['review', 'pass', 'review'],
    ['review', 'block', 'block'],
    ['block', 'review', 'block'],
    ['pass', 'block', 'block'],
  ])('%s, %s → %s', (a, b, expected) => expect(worst(a, b)).toBe(expected));
});
