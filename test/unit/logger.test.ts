import { flushLogs, isoNow, jsonLogger, workDone, workStarted } from '../../core/logger';

// Platform log collectors split on newlines: each event must be exactly one JSON line.
describe('jsonLogger', () => {
  let stdout: jest.SpyInstance;
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());

  it.each([
    ['info', () => stdout, () => stderr],
    ['error', () => stderr, () => stdout],
  ] as const)(
    'writes one %s event as one newline-terminated JSON line, on the right stream',
    (level, used, unused) => {
      jsonLogger(level, 'something_happened', { code: 'x', n: 1 });
      // Info lines wait for the next turn of the event loop (one write for many); flushing writes them now.
      flushLogs();
      expect(unused()).not.toHaveBeenCalled();
      expect(used()).toHaveBeenCalledTimes(1);
      const line = String(used().mock.calls[0][0]);
      expect(line.endsWith('\n')).toBe(true);
      expect(line.indexOf('\n')).toBe(line.length - 1);
      const event = JSON.parse(line);
      expect(event).toEqual({
        time: expect.any(String),
        level,
        event: 'something_happened',
        code: 'x',
        n: 1,
      });
      expect(new Date(event.time).toISOString()).toBe(event.time);
    },
  );

  // The platforms freeze an instance as soon as its answers are out (core/logger.ts workDone): a line waits
  // for a batch only while another answer is in progress, and the last answer's line is out before a freeze.
  it('writes the waiting lines at once when the last answer in progress is done', () => {
    workStarted();
    workStarted();
    jsonLogger('info', 'first_done', {});
    workDone();
    expect(stdout).not.toHaveBeenCalled();
    jsonLogger('info', 'last_done', {});
    workDone();
    expect(stdout).toHaveBeenCalledTimes(1);
    const lines = String(stdout.mock.calls[0][0]).trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { event: string }).event)).toEqual([
      'first_done',
      'last_done',
    ]);
  });

  // Info lines are gathered as UTF-8 bytes and written many at once (core/logger.ts): every line must come
  // out whole, in order, with its characters intact, however the batches fall.
  it('writes batched lines whole, in order, and a line longer than a batch on its own', () => {
    const sent: string[] = [];
    for (let i = 0; i < 600; i++) sent.push(`line ${i} ${'é🌍x'.repeat(i % 50)}`);
    sent.splice(300, 0, `long ${'ü'.repeat(100_000)}`);
    for (const text of sent) jsonLogger('info', 'e', { text });
    flushLogs();
    const writes = stdout.mock.calls.map((call) => Buffer.from(call[0] as Buffer | string).toString('utf8'));
    expect(writes.length).toBeGreaterThan(2);
    for (const chunk of writes) expect(chunk.endsWith('\n')).toBe(true);
    const lines = writes.join('').split('\n').slice(0, -1);
    expect(lines.map((line) => (JSON.parse(line) as { text: string }).text)).toEqual(sent);
  });
});

// The time of a line is made from a cached second and the milliseconds (core/logger.ts): it must read as
// toISOString would, whatever the milliseconds and however often the second changes.
describe('isoNow', () => {
  it.each([
    1_764_676_800_000, 1_764_676_800_005, 1_764_676_800_050, 1_764_676_800_999, 1_764_676_801_000,
    1_764_676_859_999, 1_764_676_860_001, 951_782_399_999, 951_782_400_000, 0, 7,
  ])('%i reads as toISOString', (ms) => {
    expect(isoNow(ms)).toBe(new Date(ms).toISOString());
    expect(isoNow(ms)).toBe(new Date(ms).toISOString()); // the cached value, too
  });

  it('agrees with toISOString over a run of consecutive milliseconds across a second', () => {
    for (let ms = 1_764_676_799_990; ms < 1_764_676_800_020; ms++)
      expect(isoNow(ms)).toBe(new Date(ms).toISOString());
  });
});
