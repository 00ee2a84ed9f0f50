import { rmSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { type RunningZip, freePort, functionEnv, startBootstrap } from '../helpers/bootstrap';
import { PLATFORM_MAJORS, runtimes } from '../helpers/node-runtimes';
import {
  DELTAS,
  type RealtimeStandIn,
  type TlsFront,
  startRealtimeStandIn,
  startTlsFront,
} from '../helpers/realtime-stand-in';
import { type TestPki, makeTestPki } from '../helpers/test-pki';
import { within } from '../helpers/upstream';
import { unpackZip } from '../helpers/zip';
import { ZIPS } from './dist';

// Issue 10 on the built zips: the official client's Realtime WebSocket class (`openai/realtime/ws`) completes
// a session through a proxy key against a loopback stand-in of the Realtime API, a pool key put in its place,
// the platform's credential headers gone, and one log line for the session that holds no key.
const PROXY_KEY = 'pk-e2e-realtime-proxy-5c1d';
const POOL_KEY = 'sk-e2e-realtime-pool-9e27';
const WRONG_KEY = 'pk-e2e-realtime-wrong-0b4a';
const MODEL = 'gpt-realtime';
const WAIT_MS = 5000;

/** What the platform's gateway adds to every call (its run role's live credentials), sent on the upgrade. */
const CREDENTIALS = {
  scf: {
    'X-Scf-Secret-Id': 'AKIDe2eRealtimeSecretId',
    'X-Scf-Secret-Key': 'e2eRealtimeScfSecretKey',
    'X-Scf-Session-Token': 'e2eRealtimeScfSessionToken',
  },
  fc: {
    'x-fc-access-key-id': 'STS.e2eRealtimeAccessKeyId',
    'x-fc-access-key-secret': 'e2eRealtimeFcAccessKeySecret',
    'x-fc-security-token': 'e2eRealtimeFcSecurityToken',
  },
} as const;

interface SessionLine {
  status: number;
  path: string;
  closeCode?: number;
  endedBy?: string;
  framesIn?: number;
  framesOut?: number;
}

/** The zip's `"event":"websocket"` lines, parsed. */
function sessionLines(output: string): SessionLine[] {
  return output
    .split('\n')
    .filter((line) => line.includes('"event":"websocket"'))
    .map((line) => JSON.parse(line) as SessionLine);
}

/** Polls `check` until it holds, within `ms`. */
async function until(check: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  let stopped = false;
  const poll = async (): Promise<void> => {
    while (!stopped && !check()) await new Promise((r) => setTimeout(r, 20));
  };
  try {
    await within(poll(), ms, what);
  } finally {
    stopped = true;
  }
}

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki?.remove());

describe.each([
  { platform: 'scf' as const, majors: PLATFORM_MAJORS.scf },
  { platform: 'fc' as const, majors: PLATFORM_MAJORS.fc },
])('$platform zip', ({ platform, majors }) => {
  describe.each(runtimes(majors))('on $label', ({ binDir }) => {
    let standIn: RealtimeStandIn;
    let oxy: RunningZip;
    let front: TlsFront;
    let dir: string;
    const open: OpenAIRealtimeWS[] = [];
    beforeAll(async () => {
      standIn = await startRealtimeStandIn();
      dir = await unpackZip(ZIPS[platform].zip);
      const port = await freePort();
      const env = functionEnv(binDir, {
        OXY_TARGET: standIn.url,
        OXY_PORT: String(port),
        FC_CUSTOM_LISTEN_PORT: String(port),
        OXY_PROXY_KEYS: PROXY_KEY,
        OXY_UPSTREAM_KEYS: POOL_KEY,
      });
      oxy = await startBootstrap(path.join(dir, ZIPS[platform].bootstrap), port, env);
      front = await startTlsFront(pki.localhost, port);
    });
    afterAll(async () => {
      for (const rt of open) rt.socket.terminate();
      await front?.close();
      await oxy?.stop();
      await standIn?.close();
      rmSync(dir, { recursive: true, force: true });
      const logged = oxy?.output() ?? '';
      for (const secret of [PROXY_KEY, POOL_KEY, WRONG_KEY, ...Object.values(CREDENTIALS[platform])])
        expect(logged).not.toContain(secret);
    });

    /** The SDK's Realtime class on a client whose baseURL is the function's URL, through the TLS front. */
    const connect = async (apiKey: string): Promise<OpenAIRealtimeWS> => {
      const client = new OpenAI({ baseURL: `https://localhost:${front.port}/v1`, apiKey, maxRetries: 0 });
      const rt = await OpenAIRealtimeWS.create(client, {
        model: MODEL,
        // The SDK hands these to `ws`: trust the test CA, resolve localhost to 127.0.0.1 only, and add the
        // platform's credential headers to the upgrade (its Authorization comes after them).
        options: { ca: pki.ca, family: 4, headers: { ...CREDENTIALS[platform] } },
      });
      open.push(rt);
      return rt;
    };
    const closedSocket = (rt: OpenAIRealtimeWS): Promise<number> =>
      within(
        new Promise<number>((resolve) => rt.socket.once('close', (code: number) => resolve(code))),
        WAIT_MS,
        'the SDK socket to close',
      );

    it('completes a Realtime session through a proxy key, with the pool key upstream', async () => {
      const rt = await connect(PROXY_KEY);
      expect(rt.url.toString()).toBe(`wss://localhost:${front.port}/v1/realtime?model=${MODEL}`);
      const events: string[] = [];
      const errors: Error[] = [];
      let text = '';
      rt.on('event', (event) => events.push(event.type));
      rt.on('error', (err) => errors.push(err));
      rt.on('response.output_text.delta', (event) => (text += event.delta));

      await within(rt.emitted('session.created'), WAIT_MS, 'session.created');
      rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
      const updated = await within(rt.emitted('session.updated'), WAIT_MS, 'session.updated');
      expect(updated.session).toMatchObject({ type: 'realtime', output_modalities: ['text'] });
      rt.send({ type: 'response.create' });
      const done = await within(rt.emitted('response.done'), WAIT_MS, 'response.done');
      expect(done.response.status).toBe('completed');
      const closed = closedSocket(rt);
      rt.close();
      expect(await closed).toBe(1000);

      expect(errors).toEqual([]);
      expect(events).toEqual([
        'session.created',
        'session.updated',
        'response.created',
        ...DELTAS.map(() => 'response.output_text.delta'),
        'response.output_text.done',
        'response.done',
      ]);
      expect(text).toBe(DELTAS.join(''));

      // What reached the stand-in: the path, the pool key in the proxy key's place, no platform credential.
      expect(standIn.sessions).toHaveLength(1);
      const [session] = standIn.sessions;
      expect(session!.url).toBe(`/v1/realtime?model=${MODEL}`);
      expect(session!.headers.authorization).toBe(`Bearer ${POOL_KEY}`);
      const prefix = platform === 'scf' ? 'x-scf-' : 'x-fc-';
      expect(Object.keys(session!.headers).filter((name) => name.startsWith(prefix))).toEqual([]);
      const values = JSON.stringify(session!.headers);
      for (const secret of [PROXY_KEY, ...Object.values(CREDENTIALS[platform])])
        expect(values).not.toContain(secret);
      expect(session!.received).toEqual(['session.update', 'response.create']);
      expect(await within(session!.closed, WAIT_MS, 'the stand-in to see the close')).toEqual({
        code: 1000,
        reason: 'OK',
      });

      // One log line for the session, written once both sides have closed.
      const relayed = (): SessionLine[] => sessionLines(oxy.output()).filter((l) => l.status === 101);
      await until(() => relayed().length > 0, 'the websocket log line');
      expect(relayed()).toHaveLength(1);
      expect(relayed()[0]).toMatchObject({
        path: `/v1/realtime?model=${MODEL}`,
        closeCode: 1000,
        endedBy: 'client',
      });
      expect(oxy.output()).not.toContain(PROXY_KEY);
      expect(oxy.output()).not.toContain(POOL_KEY);
    });

    it('refuses a wrong proxy key with a 401 the SDK reports, and nothing reaches the stand-in', async () => {
      const before = standIn.sessions.length;
      const rt = await connect(WRONG_KEY);
      const closed = closedSocket(rt);
      const err = await within(rt.emitted('error'), WAIT_MS, 'the SDK error');
      expect(err.message).toMatch(/Unexpected server response: 401/);
      await closed;
      expect(standIn.sessions).toHaveLength(before);
      await until(() => sessionLines(oxy.output()).some((l) => l.status === 401), 'the refusal log line');
      expect(oxy.output()).not.toContain(WRONG_KEY);
    });
  });
});
