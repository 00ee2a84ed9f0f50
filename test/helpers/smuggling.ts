import { RawClient } from './raw-client';
import type { RecordingUpstream } from './recording-upstream';

/**
 * The framing attacks of issue 6, each named by the flaw it guards against. An attacker's request hides
 * the start of another request in its body; if the proxy sends that body unframed (or framed twice) on a
 * pooled upstream connection, the next client's request (its key, its prompt) becomes the body of the
 * hidden one, and that client gets the attacker's answer.
 */
export interface Attack {
  name: string;
  /** Raw bytes of the attacker's request; `BODY` is replaced by the hidden request. */
  request: string;
  /** HEAD: the answer has no body. */
  head?: boolean;
}

/** The hidden request: a POST whose length swallows whatever comes next on the connection. */
export const HIDDEN = 'POST /smuggled HTTP/1.1\r\nHost: x\r\nContent-Length: 400\r\n\r\n';
const LENGTH = `Content-Length: ${HIDDEN.length}\r\n`;
const CHUNKED_BODY = `${HIDDEN.length.toString(16)}\r\n${HIDDEN}\r\n0\r\n\r\n`;
const filler = (n: number): string =>
  Array.from({ length: n }, (_, i) => `x-f${String(i).padStart(4, '0')}: 1\r\n`).join('');

const withLength = (method: string, headers: string, version = '1.1'): string =>
  `${method} /v1/attack HTTP/${version}\r\nHost: oxy\r\n${headers}${LENGTH}\r\n${HIDDEN}`;
const withChunks = (method: string, headers: string): string =>
  `${method} /v1/attack HTTP/1.1\r\nHost: oxy\r\n${headers}Transfer-Encoding: chunked\r\n\r\n${CHUNKED_BODY}`;

export const ATTACKS: Attack[] = [
  ...['GET', 'POST', 'DELETE', 'OPTIONS'].map((m) => ({
    name: `1: Connection: content-length on ${m}`,
    request: withLength(m, 'Connection: content-length\r\n'),
  })),
  {
    name: '1: Connection: content-length on HEAD',
    request: withLength('HEAD', 'Connection: content-length\r\n'),
    head: true,
  },
  {
    name: '1: Connection: CONTENT-LENGTH in a list',
    request: withLength('GET', 'Connection: keep-alive, CONTENT-Length\r\n'),
  },
  {
    name: '1: Connection: content-length in a second Connection header',
    request: withLength('GET', 'Connection: keep-alive\r\nConnection: content-length\r\n'),
  },
  {
    name: '1: Connection: content-length over HTTP/1.0',
    request: withLength('GET', 'Connection: content-length\r\n', '1.0'),
  },
  {
    name: '1: Connection: transfer-encoding on a chunked GET',
    request: withChunks('GET', 'Connection: transfer-encoding\r\n'),
  },
  {
    name: '1: Connection: host, content-length',
    request: withLength('POST', 'Connection: host, content-length\r\n'),
  },
  { name: '2: Transfer-Encoding after header line 1000', request: withChunks('GET', filler(1001)) },
  { name: '2: Content-Length after header line 1000', request: withLength('GET', filler(1001)) },
  { name: '2: chunked DELETE after header line 1000', request: withChunks('DELETE', filler(1001)) },
  ...['DELETE', 'OPTIONS', 'GET', 'POST'].map((m) => ({
    name: `chunked ${m} (http-proxy's deleteLength would unframe DELETE/OPTIONS)`,
    request: withChunks(m, ''),
  })),
  {
    name: '3: empty Transfer-Encoding next to Content-Length',
    request: withLength('POST', 'Transfer-Encoding: \r\n'),
  },
  {
    name: '3: blank Transfer-Encoding next to Content-Length',
    request: withLength('POST', 'Transfer-Encoding:  \t\r\n'),
  },
  {
    name: '3: two blank Transfer-Encodings next to Content-Length',
    request: withLength('POST', 'Transfer-Encoding: \r\nTransfer-Encoding: \r\n'),
  },
];

export interface AttackOutcome {
  attacker: { status: number; url?: string; body?: string };
  victim: { status: number; url?: string; authorization?: string };
  /** Every request the upstream saw, in order. */
  seen: { url: string; framing: string[]; body: string; hasToken: boolean }[];
}

/**
 * Runs one attack through `oxyUrl` (whose target is `upstream`, an echo server), then a victim's request
 * with a unique token on a new client connection, and reports what each side got and what the upstream saw.
 */
export async function runAttack(
  oxyUrl: string,
  upstream: RecordingUpstream,
  attack: Attack,
): Promise<AttackOutcome> {
  const token = `sk-victim-${Math.random().toString(36).slice(2)}`;
  const attacker = await RawClient.connect(oxyUrl);
  const victim = await RawClient.connect(oxyUrl);
  try {
    attacker.write(attack.request);
    const a = await attacker.answer(3000, attack.head);
    const victimBody = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: token }] });
    victim.write(
      `POST /v1/victim HTTP/1.1\r\nHost: oxy\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${victimBody.length}\r\n\r\n${victimBody}`,
    );
    const v = await victim.answer(3000);
    // Give anything smuggled time to reach the upstream and be answered.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const echoed = (body: string): { url?: string; headers?: Record<string, string>; body?: string } => {
      try {
        return JSON.parse(body);
      } catch {
        return {};
      }
    };
    const ae = echoed(a.body);
    const ve = echoed(v.body);
    return {
      attacker: { status: a.status, url: ae.url, body: ae.body },
      victim: { status: v.status, url: ve.url, authorization: ve.headers?.authorization },
      seen: upstream.seen.map((s) => ({
        url: s.url,
        framing: ['content-length', 'transfer-encoding'].filter((h) => s.headers[h] !== undefined),
        body: s.body.toString('latin1'),
        hasToken: JSON.stringify([s.url, s.headers, s.body.toString('latin1')]).includes(token),
      })),
    };
  } finally {
    attacker.destroy();
    victim.destroy();
  }
}

/** What must hold after any attack: the expectations both the integration and the e2e specs assert. */
export function expectNoSmuggling(outcome: AttackOutcome, attack: Attack, base = ''): void {
  const { attacker, victim, seen } = outcome;
  expect(seen.map((s) => s.url)).toEqual([`${base}/v1/attack`, `${base}/v1/victim`]);
  // The hidden request reached the upstream as the attacker's body, framed by exactly one header.
  expect(seen[0]!.body).toBe(HIDDEN);
  expect(seen[0]!.framing).toHaveLength(1);
  expect(seen[1]!.framing).toEqual(['content-length']);
  // The token appears only in the victim's own request, and each client got its own answer.
  expect(seen.map((s) => s.hasToken)).toEqual([false, true]);
  expect(attacker.status).toBe(200);
  if (!attack.head) expect(attacker.url).toBe(`${base}/v1/attack`);
  expect(victim.status).toBe(200);
  expect(victim.url).toBe(`${base}/v1/victim`);
  expect(victim.authorization).toMatch(/^Bearer sk-victim-/);
}

/**
 * The parser of Node 22 and 24 (22.23.5 and 24.22.3 here) answers 400 itself to a request with an empty
 * Transfer-Encoding beside Content-Length (the "3:" attacks), before oxy sees it; Node 16 to 20 pass it on,
 * and oxy forwards it framed by Content-Length alone.
 * Refused is as safe as forwarded: nothing reaches the upstream but the victim's own request.
 */
function expectRefusedByParser(outcome: AttackOutcome, base: string): void {
  expect(outcome.attacker.status).toBe(400);
  expect(outcome.seen.map((s) => [s.url, s.framing, s.hasToken])).toEqual([
    [`${base}/v1/victim`, ['content-length'], true],
  ]);
  expect(outcome.victim).toMatchObject({ status: 200, url: `${base}/v1/victim` });
  expect(outcome.victim.authorization).toMatch(/^Bearer sk-victim-/);
}

/** What must hold after `attack` on a Node of this major: no smuggling, or (flaw 3 on Node ≥ 22) a refusal. */
export function expectSafe(outcome: AttackOutcome, attack: Attack, major: number, base = ''): void {
  if (major >= 22 && attack.name.startsWith('3: ')) expectRefusedByParser(outcome, base);
  else expectNoSmuggling(outcome, attack, base);
}
