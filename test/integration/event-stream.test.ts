import http from 'node:http';
import { type RunningOxy, startOxy } from '../helpers/oxy';
import { type Upstream, deferred, startUpstream, within } from '../helpers/upstream';

const CHUNKS = 8;

// The chat log reads the same stream beside the pipe (issue 9: "without delaying any chunk"): the lockstep
// below holds with it on too.
describe.each([
  ['', {}],
  [' with the chat log on', { OXY_LOG_CHAT: 'true' }],
])('server-sent events%s', (_name, settings: Record<string, string>) => {
  let upstream: Upstream;
  let oxy: RunningOxy;
  const headersSeen = deferred();
  const received = Array.from({ length: CHUNKS }, () => deferred());

  beforeAll(async () => {
    // Lockstep: the upstream sends event i only once the client has read event i-1, and its first event only
    // once the client has the response headers. Any buffering in the proxy deadlocks this and fails by timeout.
    upstream = await startUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      await within(headersSeen.promise, 3000, 'the client to get the headers before any event');
      for (let i = 0; i < CHUNKS; i++) {
        res.write(`data: {"i":${i}}\n\n`);
        await within(received[i]!.promise, 3000, `event ${i} to reach the client on its own`);
      }
      res.end('data: [DONE]\n\n');
    });
    oxy = await startOxy({ OXY_TARGET: upstream.url, ...settings });
  });
  afterAll(async () => {
    await oxy.close();
    await upstream.close();
  });

  it('sends headers at once and every event as it arrives, one read per event', async () => {
    const reads: string[] = [];
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(`${oxy.url}/v1/chat/completions`, { method: 'POST' }, resolve);
      req.on('error', reject);
      req.end('{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}');
    });
    headersSeen.resolve();
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['transfer-encoding']).toBe('chunked');
    await new Promise<void>((resolve, reject) => {
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        reads.push(text);
        const i = reads.length - 1;
        if (i < CHUNKS) received[i]!.resolve();
      });
      res.on('end', resolve);
      res.on('error', reject);
    });
    expect(reads).toEqual([
      ...Array.from({ length: CHUNKS }, (_, i) => `data: {"i":${i}}\n\n`),
      'data: [DONE]\n\n',
    ]);
    // The chat log did read this stream: its line comes once the answer has ended.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const chats = oxy.logs.filter((l) => l.includes('"event":"chat"'));
    expect(chats).toHaveLength(settings.OXY_LOG_CHAT ? 1 : 0);
  });
});
