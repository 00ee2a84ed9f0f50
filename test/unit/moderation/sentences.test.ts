import fc from 'fast-check';
import { Sentences, hasWords } from '../../../core/moderation/sentences';

/** Pushes the pieces in order; gives every sentence emitted and the tail. */
function split(pieces: string[], max?: number): [string[], string] {
  const s = new Sentences(max);
  const out = pieces.flatMap((p) => s.push(p));
  return [out, s.rest()];
}

describe('Sentences', () => {
  it.each<[string, string[], string[], string]>([
    ['an ASCII sentence, once the next character is seen', ['Hello. Wor'], ['Hello.'], ' Wor'],
    ['an ender at the end waits for what follows', ['Hello.'], [], 'Hello.'],
    ['... then the next piece completes it', ['Hello.', ' Next'], ['Hello.'], ' Next'],
    ['CJK enders', ['你好。今天好吗？很好！谢'], ['你好。', '今天好吗？', '很好！'], '谢'],
    ['CJK ender before CJK text across pieces', ['你好', '。', '再见'], ['你好。'], '再见'],
    ['a run of enders is one end', ['What?! No... Yes'], ['What?!', ' No...'], ' Yes'],
    ['a run cut between pieces', ['Wait.', '..', ' ok'], ['Wait...'], ' ok'],
    ['newline ends a sentence', ['line one\nline two'], ['line one\n'], 'line two'],
    ['blank lines join the run', ['a\n\n\nb'], ['a\n\n\n'], 'b'],
    ['decimals do not end a sentence', ['Pi is 3.14 today. x'], ['Pi is 3.14 today.'], ' x'],
    ['a decimal cut between pieces', ['It costs 3.', '50 now. y'], ['It costs 3.50 now.'], ' y'],
    ['hosts and versions stay whole', ['See example.com and v2.0! z'], ['See example.com and v2.0!'], ' z'],
    ['U.S.A. ends only at the last dot', ['The U.S.A. is big'], ['The U.S.A.'], ' is big'],
    ['closing quotes stay with their sentence', ['He said "stop!" Then'], ['He said "stop!"'], ' Then'],
    ['CJK closing quote', ['他说：“走吧。”然后'], ['他说：“走吧。”'], '然后'],
    ['an ASCII ender before CJK text ends', ['OK.好的'], ['OK.'], '好的'],
    ['a strong ender ends before a letter', ['好。OK'], ['好。'], 'OK'],
    ['an emoji survives', ['😀 fine. 😀'], ['😀 fine.'], ' 😀'],
    ['empty pushes change nothing', ['', 'a.', '', ' b'], ['a.'], ' b'],
  ])('%s', (_name, pieces, sentences, tail) => {
    expect(split(pieces)).toEqual([sentences, tail]);
  });

  it('emits a tail that reaches max characters without an end', () => {
    const [out, tail] = split(['a'.repeat(15), 'b'.repeat(10), 'c'], 20);
    expect(out).toEqual(['a'.repeat(15) + 'b'.repeat(10)]);
    expect(tail).toBe('c');
  });

  it('emits nothing more after rest() and starts afresh', () => {
    const s = new Sentences();
    s.push('abc');
    expect(s.pending).toBe(true);
    expect(s.rest()).toBe('abc');
    expect(s.pending).toBe(false);
    expect(s.rest()).toBe('');
    expect(s.push('x. y')).toEqual(['x.']);
  });

  it('loses no character and cuts the same wherever the text is cut', () => {
    const char = fc.constantFrom(
      'a',
      'Z',
      '3',
      ' ',
      '.',
      '!',
      '?',
      '。',
      '？',
      '！',
      '\n',
      '"',
      '”',
      '你',
      '😀',
    );
    fc.assert(
      fc.property(fc.array(char, { maxLength: 80 }), fc.array(fc.nat(80)), (chars, cuts) => {
        const text = chars.join('');
        const at = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
        const pieces = [0, ...at].map((from, i) => text.slice(from, at[i] ?? text.length));
        const whole = split([text]);
        const cutUp = split(pieces);
        expect(cutUp).toEqual(whole);
        expect(whole[0].join('') + whole[1]).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('hasWords', () => {
  it.each([
    ['', false],
    [' \n\t', false],
    ['."”)。', false],
    ['a', true],
    ['  。好', true],
    ['😀', true],
  ])('%j → %s', (s, expected) => expect(hasWords(s)).toBe(expected));
});
