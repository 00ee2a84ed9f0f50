import fc from 'fast-check';
import { moderateStream } from '../../../core/moderation/stream-moderator';
import { FORMATS, Gate, LEAD, bytes, checkBy, events, moderate, settle } from './sse-fixtures';

const PASS = checkBy(/$^/);

/** A moderator fed by the test, whose output so far can be read at any time. */
function harness(gate: Gate, options: { maxSentenceLength?: number; maxHeldBytes?: number } = {}) {
  const t = moderateStream({
    check: gate.check,
    onBlocked: () => undefined,
    onCheckFailure: () => 'block',
    ...options,
  });
  const out: Buffer[] = [];
  t.on('data', (c: Buffer) => out.push(c));
  return { t, output: () => Buffer.concat(out).toString('utf8') };
}

describe('a clean stream through the moderator', () => {
  it.each(FORMATS)('%s: comes out byte for byte, cut at every byte boundary', async (format) => {
    const input = events(format, [
      'Hello, ',
      'world.',
      ' 你好',
      '。再见',
      '！😀 ',
      'Pi is 3.',
      '14',
      '\n\nEnd',
    ]).join('');
    expect(await moderate(bytes(input), { check: PASS })).toBe(input);
    expect(await moderate(bytes(input), { check: PASS }, true)).toBe(input);
  });

  it('comes out unchanged for any texts, separators, chunking and check timing (property)', async () => {
    const char = fc.constantFrom('a', 'B', '7', ' ', '.', '?', '!', '。', '！', '\n', '"', '你', '😀', 'é');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FORMATS),
        fc.array(
          fc.array(char, { maxLength: 12 }).map((c) => c.join('')),
          { maxLength: 12 },
        ),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(3000), { maxLength: 30 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        async (format, texts, sep, cuts, slow, concurrency) => {
          const input = Buffer.from(events(format, texts, sep).join(''));
          const at = [...new Set(cuts.map((c) => Math.min(c, input.length)))].sort((a, b) => a - b);
          const chunks = [0, ...at].map((from, i) => input.subarray(from, at[i] ?? input.length));
          const check = checkBy(/$^/);
          const output = await moderate(chunks, { check, concurrency, maxSentenceLength: 40 }, slow);
          expect(output).toBe(input.toString('utf8'));
          // Every word was checked, in order.
          const words = (s: string) => s.replace(/[\s.?!。！"]/g, '');
          expect(words(check.texts.join(''))).toBe(words(texts.join('')));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('passes what is not SSE, and unparsable events, through untouched and in order', async () => {
    expect(await moderate(['{"error":', '{"message":"x"}}'], { check: PASS })).toBe(
      '{"error":{"message":"x"}}',
    );
    const e = events('chat', ['Hi', ' there.']);
    const input = [
      e[0],
      e[1],
      'data: not json\n\n',
      ': comment\n\n',
      e[2],
      'data: {"odd":true}\n\n',
      ...e.slice(3),
    ].join('');
    expect(await moderate(bytes(input), { check: PASS })).toBe(input);
  });
});

describe('holding text back', () => {
  it('holds each text event exactly until its sentence has passed', async () => {
    const gate = new Gate();
    const { t, output } = harness(gate);
    const e = events('chat', ['Hello', ' world.', ' How', ' are you?']);
    // role chunk, "Hello", " world.", " How", " are you?", finish, [DONE]
    t.write(e.slice(0, 5).join(''));
    await settle();
    expect(output()).toBe(e[0]); // the role chunk has no text: it goes at once
    expect(gate.calls.map((c) => c.text)).toEqual(['Hello world.']);
    gate.calls[0]?.verdict('pass');
    await settle();
    expect(output()).toBe(e.slice(0, 3).join('')); // " How" belongs to a sentence not yet complete
    t.write(e.slice(5).join('')); // the finish and [DONE]: the tail is checked now, before the input ends
    await settle();
    expect(gate.calls.map((c) => c.text)).toEqual(['Hello world.', ' How are you?']);
    expect(output()).toBe(e.slice(0, 3).join(''));
    gate.calls[1]?.verdict('review'); // review passes unless the level says otherwise
    await settle();
    expect(output()).toBe(e.join(''));
    t.end();
    await new Promise((resolve) => t.once('end', resolve));
  });

  it.each([
    ['anthropic', 'content_block_stop'],
    ['responses', 'response.output_text.done'],
    ['chat', 'finish_reason'],
  ] as const)('%s: checks the unfinished tail at %s, before the input ends', async (format, _end) => {
    const gate = new Gate();
    const { t, output } = harness(gate);
    const e = events(format, ['Done.', ' Tail']);
    t.write(e.slice(0, LEAD[format] + 2).join(''));
    await settle();
    expect(gate.calls.map((c) => c.text)).toEqual(['Done.']);
    t.write(e[LEAD[format] + 2] ?? '');
    await settle();
    expect(gate.calls.map((c) => c.text)).toEqual(['Done.', ' Tail']);
    for (const c of gate.calls) c.verdict('pass');
    await settle();
    expect(output()).toBe(e.slice(0, LEAD[format] + 3).join(''));
  });

  it('releases in order even when a later sentence passes first', async () => {
    const gate = new Gate();
    const { t, output } = harness(gate);
    const e = events('completion', ['One.', ' Two.', ' Three']);
    t.write(e.join(''));
    await settle();
    expect(gate.calls.map((c) => c.text)).toEqual(['One.', ' Two.', ' Three']);
    gate.calls[2]?.verdict('pass');
    gate.calls[1]?.verdict('pass');
    await settle();
    expect(output()).toBe('');
    gate.calls[0]?.verdict('pass');
    await settle();
    expect(output()).toBe(e.join(''));
  });

  it('checks text without a sentence end once it reaches maxSentenceLength', async () => {
    const gate = new Gate();
    const { t, output } = harness(gate, { maxSentenceLength: 50 });
    const e = events(
      'anthropic',
      Array.from({ length: 8 }, () => 'x'.repeat(10)),
    );
    t.write(e.join('').slice(0, e.slice(0, LEAD.anthropic + 6).join('').length));
    await settle();
    expect(gate.calls.map((c) => c.text)).toEqual(['x'.repeat(50)]);
    gate.calls[0]?.verdict('pass');
    await settle();
    expect(output()).toBe(e.slice(0, LEAD.anthropic + 5).join(''));
  });

  it('moderates each choice of an n>1 answer on its own', async () => {
    const check = checkBy(/$^/);
    const head = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm' };
    const chunk = (index: number, content: string) =>
      `data: ${JSON.stringify({ ...head, choices: [{ index, delta: { content }, finish_reason: null }] })}\n\n`;
    const input = [
      chunk(0, 'Hel'),
      chunk(1, 'Bon'),
      chunk(0, 'lo.'),
      chunk(1, 'jour.'),
      'data: [DONE]\n\n',
    ].join('');
    expect(await moderate([input], { check })).toBe(input);
    expect(check.texts.sort()).toEqual(['Bonjour.', 'Hello.']);
  });

  it('pauses the upstream while too much is held for checks in flight', async () => {
    const gate = new Gate();
    const { t } = harness(gate, { maxHeldBytes: 300 });
    const e = events('chat', ['First.', ' Second.', ' Third.', ' Fourth.']);
    let written = false;
    t.write(e.join(''), () => (written = true));
    await settle();
    expect(written).toBe(false);
    for (const c of gate.calls) c.verdict('pass');
    await settle();
    expect(written).toBe(true);
  });

  it('aborts the checks in flight when destroyed', async () => {
    const gate = new Gate();
    const { t } = harness(gate);
    t.write(events('chat', ['One.', ' Two.', ' x']).slice(0, 4).join(''));
    await settle();
    expect(gate.calls.map((c) => c.signal?.aborted)).toEqual([false, false]);
    t.destroy();
    expect(gate.calls.map((c) => c.signal?.aborted)).toEqual([true, true]);
  });
});
