import fc from 'fast-check';
import { TMS_MAX_CHARS, tmsTextParts } from '../../../core/moderation/tencent/tms-client';
import { checkParts, splitText } from '../../../core/moderation/text-parts';
import { ModerationFailure, type Check, type Verdict } from '../../../core/moderation/verdict';

const SMILE = '\u{1F600}'; // 😀: two UTF-16 code units, one character

describe('splitText', () => {
  it.each<[string, string, number, string[]]>([
    ['the empty text has no parts', '', 5, []],
    ['a text within the limit is one part', 'abcde', 5, ['abcde']],
    ['a text one over the limit is two', 'abcdef', 5, ['abcde', 'f']],
    ['no boundary: hard cuts at the limit', 'abcdefghijk', 4, ['abcd', 'efgh', 'ijk']],
    ['a cut after a Latin full stop', 'abc defg. hij', 10, ['abc defg.', ' hij']],
    ['the last sentence end of the window wins', 'ab. cd! ef? ghij', 12, ['ab. cd! ef?', ' ghij']],
    ['a cut after 。', '一二三四五六。七八九十', 8, ['一二三四五六。', '七八九十']],
    ['a cut after ？ and ！', '一二三？四五六！七八九十一二', 8, ['一二三？四五六！', '七八九十一二']],
    ['a cut after a newline', 'abcdef\nghij', 8, ['abcdef\n', 'ghij']],
    ['a sentence end beats a later space', 'abcdef. gh ijkl', 10, ['abcdef.', ' gh ijkl']],
    ['a space when there is no sentence end', 'abcde fghij', 8, ['abcde ', 'fghij']],
    ['the full-width space counts as a space', 'abcde\u3000fghij', 8, ['abcde\u3000', 'fghij']],
    ['a sentence end in the first half is passed over', 'a.bcdefghijkl', 10, ['a.bcdefghi', 'jkl']],
    ['a space in the first half is passed over', 'a bcdefghijkl', 10, ['a bcdefghi', 'jkl']],
    ['a surrogate pair across the limit moves the cut back', `abcd${SMILE}xy`, 5, ['abcd', `${SMILE}xy`]],
    ['a surrogate pair ending at the limit stays', `abc${SMILE}xyz`, 5, [`abc${SMILE}`, 'xyz']],
    ['only pairs', SMILE.repeat(3), 3, [SMILE, SMILE, SMILE]],
  ])('%s', (_name, text, max, parts) => {
    expect(splitText(text, max)).toEqual(parts);
  });

  it.each([0, 1, 2.5, NaN, -3])('refuses a limit of %p', (max) => {
    expect(() => splitText('abc', max)).toThrow(RangeError);
  });

  it('loses nothing, keeps every part within the limit, never splits a pair, and cuts no more than twice as often as it must', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.integer({ min: 2, max: 40 }),
        (text, max) => {
          const parts = splitText(text, max);
          expect(parts.join('')).toBe(text);
          for (const part of parts) {
            expect(part.length).toBeGreaterThan(0);
            expect(part.length).toBeLessThanOrEqual(max);
            expect(part).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
          }
          expect(parts.length).toBeLessThanOrEqual(Math.ceil((2 * text.length) / max) + 1);
        },
      ),
    );
  });
});

describe('tmsTextParts', () => {
  it('uses TMS limit of 10,000 characters', () => {
    expect(TMS_MAX_CHARS).toBe(10_000);
    expect(tmsTextParts('a'.repeat(10_000))).toHaveLength(1);
    expect(tmsTextParts('a'.repeat(10_001)).map((p) => p.length)).toEqual([10_000, 1]);
    expect(tmsTextParts('a'.repeat(25_000)).map((p) => p.length)).toEqual([10_000, 10_000, 5_000]);
  });
});

/** A check whose calls the test answers one by one, recording how many run at once. */
function scripted() {
  const pending: { part: string; signal?: AbortSignal; settle: (v: Verdict | Error) => void }[] = [];
  let running = 0;
  let most = 0;
  const check: Check = (part, signal) =>
    new Promise<Verdict>((resolve, reject) => {
      most = Math.max(most, ++running);
      const settle = (v: Verdict | Error): void => {
        running--;
        if (v instanceof Error) reject(v);
        else resolve(v);
      };
      pending.push({ part, settle, ...(signal ? { signal } : {}) });
      signal?.addEventListener('abort', () => settle(new ModerationFailure('moderation_aborted', 'aborted')));
    });
  return { check, pending, most: () => most };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('checkParts', () => {
  it.each<[Verdict[], Verdict]>([
    [['pass'], 'pass'],
    [['pass', 'pass', 'pass'], 'pass'],
    [['pass', 'review', 'pass'], 'review'],
    [['review', 'pass'], 'review'],
    [['pass', 'pass', 'review', 'block', 'pass'], 'block'],
    [['block'], 'block'],
  ])('%j → %s', async (verdicts, worst) => {
    const check: Check = async (part) => verdicts[Number(part)] ?? 'pass';
    await expect(
      checkParts(
        check,
        verdicts.map((_v, i) => String(i)),
      ),
    ).resolves.toBe(worst);
  });

  it('passes no parts without a call', async () => {
    const check = jest.fn<Promise<Verdict>, [string]>(async () => 'block');
    await expect(checkParts(check, [])).resolves.toBe('pass');
    expect(check).not.toHaveBeenCalled();
  });

  it('runs at most four checks at once, and every part once', async () => {
    const s = scripted();
    const result = checkParts(s.check, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    for (let answered = 0; answered < 10; answered++) {
      await tick();
      s.pending[answered]?.settle('pass');
    }
    await expect(result).resolves.toBe('pass');
    expect(s.most()).toBe(4);
    expect(s.pending.map((p) => p.part).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('stops at the first block: the checks in flight are aborted and no more are made', async () => {
    const s = scripted();
    const result = checkParts(
      s.check,
      Array.from({ length: 10 }, (_v, i) => String(i)),
    );
    await tick();
    s.pending[1]?.settle('block');
    await expect(result).resolves.toBe('block');
    expect(s.pending).toHaveLength(4);
    expect(s.pending.filter((p) => p.signal?.aborted)).toHaveLength(4);
  });

  it('fails with the first failure, and aborts the rest', async () => {
    const s = scripted();
    const result = checkParts(s.check, ['0', '1', '2', '3', '4', '5']);
    await tick();
    s.pending[2]?.settle(new ModerationFailure('moderation_timeout', 'late'));
    await expect(result).rejects.toMatchObject({ code: 'moderation_timeout' });
    expect(s.pending.every((p) => p.signal?.aborted)).toBe(true);
    expect(s.pending).toHaveLength(4);
  });

  it("fails with moderation_aborted when the caller's signal fires, aborting every check", async () => {
    const s = scripted();
    const caller = new AbortController();
    const result = checkParts(s.check, ['0', '1', '2'], caller.signal);
    await tick();
    caller.abort();
    await expect(result).rejects.toMatchObject({ code: 'moderation_aborted' });
    expect(s.pending.every((p) => p.signal?.aborted)).toBe(true);
  });

  it('makes no call for a signal already aborted', async () => {
    const check = jest.fn<Promise<Verdict>, [string]>(async () => 'pass');
    const caller = new AbortController();
    caller.abort();
    await expect(checkParts(check, ['0'], caller.signal)).rejects.toMatchObject({
      code: 'moderation_aborted',
    });
    expect(check).not.toHaveBeenCalled();
  });
});
