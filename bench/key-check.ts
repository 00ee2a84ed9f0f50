/**
 * Checks, from the upstream's side, that oxy-keys really swaps keys, on chat requests and on WebSocket
 * upgrades: the client's proxy key never reaches the upstream, and the three pool keys take turns.
 */
import http from 'node:http';
import { BENCH_POOL_KEYS, BENCH_PROXY_KEY, CHAT_BODY, CHAT_HEADERS, CHAT_PATH } from './load';
import { measureWebSocket } from './websocket';

/** A request with a small body; resolves with the status and the answer's text. */
function request(
  url: string,
  method: string,
  headers: http.OutgoingHttpHeaders,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (t: string) => (text += t));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in 5 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends 3 × 2 chat requests through oxy-keys and checks, with the upstream's count of the Authorization
 * headers it received, that each pool key arrived twice and the proxy key never: the configuration
 * measured really swaps keys.
 */
export async function checkKeySwap(proxyUrl: string, upstreamUrl: string): Promise<void> {
  await expectEachPoolKeyTwice(upstreamUrl, 'chat requests', async () => {
    const headers = { ...CHAT_HEADERS, 'content-length': Buffer.byteLength(CHAT_BODY) };
    const { status } = await request(proxyUrl + CHAT_PATH, 'POST', headers, CHAT_BODY);
    if (status !== 200) throw new Error(`oxy-keys: chat request answered ${status}`);
  });
}

/** The same for WebSocket sessions through oxy-keys (one message each, echoed). */
export async function checkWebSocketKeySwap(proxyUrl: string, upstreamUrl: string): Promise<void> {
  await expectEachPoolKeyTwice(upstreamUrl, 'WebSocket sessions', async () => {
    await measureWebSocket(proxyUrl, { sessions: 1, messages: 1, intervalMs: 0, messageBytes: 256 });
  });
}

/** Runs `send` 3 × 2 times, one after the other, then compares the upstream's counts with the pool. */
async function expectEachPoolKeyTwice(upstreamUrl: string, what: string, send: () => Promise<void>) {
  const counts = async (): Promise<Record<string, number>> => {
    const { status, text } = await request(`${upstreamUrl}/bench/auth`, 'GET', {});
    if (status !== 200) throw new Error(`upstream /bench/auth: status ${status}`);
    return JSON.parse(text) as Record<string, number>;
  };
  await counts(); // resets the counts
  const sends = BENCH_POOL_KEYS.length * 2;
  for (let i = 0; i < sends; i++) await send();
  const seen = await counts();
  const expected = Object.fromEntries(BENCH_POOL_KEYS.map((k) => [`Bearer ${k}`, 2]));
  const same =
    Object.keys(seen).length === BENCH_POOL_KEYS.length &&
    Object.entries(expected).every(([auth, n]) => seen[auth] === n);
  if (!same) {
    const shown = Object.entries(seen).map(([auth, n]) => {
      const which = auth.includes(BENCH_PROXY_KEY) ? 'the proxy key' : auth;
      return `${which}: ${n}`;
    });
    throw new Error(
      `oxy-keys: after ${sends} ${what} the upstream saw ${shown.join(', ') || 'nothing'}; expected each of the ${BENCH_POOL_KEYS.length} pool keys twice`,
    );
  }
}
