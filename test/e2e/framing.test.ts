import { rmSync } from 'node:fs';
import path from 'node:path';
import { type RunningZip, freePort, functionEnv, startBootstrap } from '../helpers/bootstrap';
import { PLATFORM_MAJORS, runtimes } from '../helpers/node-runtimes';
import { RawClient } from '../helpers/raw-client';
import { type RecordingUpstream, startRecordingUpstream } from '../helpers/recording-upstream';
import { ATTACKS, expectSafe, runAttack } from '../helpers/smuggling';
import { type UpstreamHandler, echo } from '../helpers/upstream';
import { unpackZip } from '../helpers/zip';
import { ZIPS } from './dist';

// Issue 6 on the built zips, on every Node version each platform runs: framing decided by the parser of
// that version, the path byte for byte, a 101 nobody asked for, and a cut answer reset.
const upstreamAnswers: UpstreamHandler = (req, res, seen) => {
  if (seen.url === '/base/v1/switch') {
    return void res.socket?.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    );
  }
  if (seen.url === '/base/v1/switch-bare') {
    return void res.socket?.write('HTTP/1.1 101 Switching Protocols\r\nContent-Length: 0\r\n\r\n');
  }
  if (seen.url === '/base/v1/cut') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.write('{"partial":', () => setTimeout(() => res.socket?.destroy(), 50));
  }
  if (seen.url === '/base/v1/stream') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    return void res.write('data: {"i":0}\n\n');
  }
  return echo(req, res, seen);
};

const platforms = [
  { platform: 'scf' as const, majors: PLATFORM_MAJORS.scf },
  { platform: 'fc' as const, majors: PLATFORM_MAJORS.fc },
];

describe.each(platforms)('$platform zip', ({ platform, majors }) => {
  describe.each(runtimes(majors))('on $label', ({ binDir, major }) => {
    let upstream: RecordingUpstream;
    let oxy: RunningZip;
    let dir: string;
    beforeAll(async () => {
      upstream = await startRecordingUpstream(upstreamAnswers);
      dir = await unpackZip(ZIPS[platform].zip);
      const port = await freePort();
      const env = functionEnv(binDir, {
        OXY_TARGET: `${upstream.url}/base`,
        OXY_PORT: String(port),
        FC_CUSTOM_LISTEN_PORT: String(port),
        OXY_UPSTREAM_TIMEOUT_MS: '60000',
      });
      oxy = await startBootstrap(path.join(dir, ZIPS[platform].bootstrap), port, env);
    });
    afterAll(async () => {
      await oxy?.stop();
      await upstream?.close();
      rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => (upstream.seen.length = 0));

    it('lets no framing attack of issue 6 smuggle a request onto the pooled connection', async () => {
      for (const attack of ATTACKS) {
        upstream.seen.length = 0;
        const outcome = await runAttack(oxy.url, upstream, attack);
        try {
          expectSafe(outcome, attack, major, '/base');
        } catch (err) {
          throw new Error(`${attack.name}: ${(err as Error).message}`);
        }
      }
    });

    const send = async (request: string): Promise<RawClient> => {
      const client = await RawClient.connect(oxy.url);
      client.write(request);
      return client;
    };

    it('forwards the path byte for byte and refuses one that climbs out of the base path', async () => {
      const ok = await send(
        'GET /v1/files//content?x=http:/y HTTP/1.1\r\nHost: oxy\r\nConnection: close\r\n\r\n',
      );
      expect((await ok.answer()).status).toBe(200);
      expect(upstream.seen.map((s) => s.url)).toEqual(['/base/v1/files//content?x=http:/y']);
      const out = await send('GET /v1/..%2f..%2fx HTTP/1.1\r\nHost: oxy\r\nConnection: close\r\n\r\n');
      expect((await out.answer()).status).toBe(400);
      const star = await send('OPTIONS * HTTP/1.1\r\nHost: oxy\r\nConnection: close\r\n\r\n');
      expect((await star.answer()).status).toBe(400);
      expect(upstream.seen).toHaveLength(1);
    });

    it.each(['/v1/switch', '/v1/switch-bare'])(
      'answers an upstream 101 to %s with 502 at once',
      async (p) => {
        const client = await send(`GET ${p} HTTP/1.1\r\nHost: oxy\r\n\r\n`);
        const answer = await client.answer(3000);
        client.destroy();
        expect(answer.status).toBe(502);
        expect(JSON.parse(answer.body).error.code).toBe('upstream_bad_response');
      },
    );

    it('writes no 400 into a stream when unparsable bytes follow its request', async () => {
      const client = await send('GET /v1/stream HTTP/1.1\r\nHost: oxy\r\n\r\n');
      let wire = '';
      client.socket.on('data', (c: Buffer) => (wire += c.toString('latin1')));
      for (let i = 0; i < 300 && !wire.includes('data: {"i":0}'); i++)
        await new Promise((r) => setTimeout(r, 10));
      client.write('NOT HTTP AT ALL\r\n\r\n');
      expect(await client.closed(3000)).not.toBe('timeout');
      expect(wire).not.toContain('HTTP/1.1 400');
    });

    it('resets an HTTP/1.0 client whose answer the upstream cut off', async () => {
      const client = await send('GET /v1/cut HTTP/1.0\r\nHost: oxy\r\n\r\n');
      const answer = await client.answer(3000);
      client.destroy();
      expect([answer.status, answer.ending]).toEqual([200, 'reset']);
    });
  });
});
