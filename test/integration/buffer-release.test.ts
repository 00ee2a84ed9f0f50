import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { type RunningOxy } from '../helpers/oxy';
import { type Upstream } from '../helpers/upstream';

const MB = 1024 * 1024;

// Socket buffers of large bodies are freed only by a GC, and V8 does not count them as heap pressure: the
// proxy asks for a minor GC after every 4 MB of a large or chunked body it streams (upstream/buffer-release.ts),
// and leaves small bodies alone. V8's gc is stood in for by a spy; the module gets it via vm on first need.
describe('minor GCs while streaming large bodies', () => {
  const gc = jest.fn();
  let runInNewContext: jest.SpyInstance;
  let upstream: Upstream;
  let oxy: RunningOxy;
  let answerBytes = 0;

  /** Loads the proxy afresh, so the module's state (the gc it found, the bytes counted) starts empty. */
  async function start(): Promise<void> {
    let helpers!: { oxy: typeof import('../helpers/oxy'); upstream: typeof import('../helpers/upstream') };
    jest.isolateModules(() => {
      helpers = { oxy: require('../helpers/oxy'), upstream: require('../helpers/upstream') };
    });
    upstream = await helpers.upstream.startUpstream((_req, res, seen) => {
      res.writeHead(200, { 'content-length': answerBytes || String(seen.body.length).length });
      res.end(answerBytes ? Buffer.alloc(answerBytes) : String(seen.body.length));
    });
    oxy = await helpers.oxy.startOxy({ OXY_TARGET: upstream.url });
  }
  beforeEach(async () => {
    gc.mockReset();
    answerBytes = 0;
    jest.spyOn(v8, 'setFlagsFromString').mockImplementation(() => {});
    runInNewContext = jest
      .spyOn(vm, 'runInNewContext')
      .mockImplementation((code) => (code === 'gc' ? gc : undefined));
    await start();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await oxy.close();
    await upstream.close();
  });

  /** POSTs `bytes` (with a Content-Length, or chunked) and reads the whole answer. */
  function post(bytes: number, chunked = false): Promise<number> {
    return new Promise((resolve, reject) => {
      const headers = chunked ? {} : { 'content-length': bytes };
      const req = http.request(`${oxy.url}/v1/files`, { method: 'POST', headers }, (res) => {
        let length = 0;
        res.on('data', (c: Buffer) => (length += c.length));
        res.on('end', () => resolve(length));
      });
      req.on('error', reject);
      for (let sent = 0; sent < bytes; sent += MB) req.write(Buffer.alloc(Math.min(MB, bytes - sent)));
      req.end();
    });
  }

  it('runs one after every 4 MB of a large upload, V8’s gc found once', async () => {
    await post(9 * MB);
    expect(gc.mock.calls).toEqual([[true], [true]]);
    await post(4 * MB + 1);
    expect(gc).toHaveBeenCalledTimes(3);
    expect(v8.setFlagsFromString).toHaveBeenCalledWith('--expose-gc');
    expect(runInNewContext.mock.calls).toEqual([['gc']]);
  });

  it('counts chunked uploads too', async () => {
    await post(5 * MB, true);
    expect(gc.mock.calls).toEqual([[true]]);
  });

  it('runs one after every 4 MB of a large answer', async () => {
    answerBytes = 9 * MB;
    expect(await post(10)).toBe(9 * MB);
    expect(gc.mock.calls).toEqual([[true], [true]]);
    expect(runInNewContext.mock.calls).toEqual([['gc']]);
  });

  it('leaves bodies under 1 MB alone, however many', async () => {
    for (let i = 0; i < 9; i++) await post(MB - 1);
    answerBytes = MB - 1;
    for (let i = 0; i < 9; i++) await post(10);
    expect(gc).not.toHaveBeenCalled();
  });

  it('streams on without them where V8 refuses to expose gc, and does not ask again', async () => {
    runInNewContext.mockImplementation(() => {
      throw new Error('refused');
    });
    answerBytes = 9 * MB;
    expect(await post(10)).toBe(9 * MB);
    expect(await post(10)).toBe(9 * MB);
    expect(runInNewContext).toHaveBeenCalledTimes(1);
  });
});
