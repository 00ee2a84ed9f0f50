/**
 * oxy-moderated's checks and its prompt delay: that oxy really moderates with the TMS stand-in, every call
 * correctly signed and addressed, and what checking a prompt adds to a non-stream request's first byte.
 */
import http from 'node:http';
import { nowMs } from './clock';
import { CHAT_BODY, CHAT_HEADERS, CHAT_PATH } from './load';
import { BENCH_TMS_REGION } from './servers';

/** What the stand-in reports of the calls since the last look (bench/tms-stand-in.ts). */
interface CallStats {
  calls: number;
  valid: number;
  tokenOk: number;
  actions: Record<string, number>;
  regions: Record<string, number>;
  failures: Record<string, number>;
}

interface Answer {
  status: number;
  text: string;
  /** Monotonic ms from the request's start to its answer's headers. */
  firstByteMs: number;
}

function request(url: string, method: string, body?: string, agent?: http.Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { ...CHAT_HEADERS, 'content-length': Buffer.byteLength(body) };
    const start = nowMs();
    const req = http.request(url, { method, headers, agent: agent ?? false, timeout: 10_000 }, (res) => {
      const firstByteMs = nowMs() - start;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (t: string) => (text += t));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, firstByteMs }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

function chatBody(content: string): string {
  return JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
}

/**
 * Sends oxy-moderated a prompt with BLOCKME, then checks from the stand-in's side that every TMS call since the
 * last check verified (TC3 signature, session token, action, region), at least `atLeast` besides this
 * prompt's (one per prompt sent since), and last that the prompt was refused with content_filter: oxy
 * really acts on verdicts. Resolves with the number of calls checked.
 */
export async function checkModeration(proxyUrl: string, callsUrl: string, atLeast: number): Promise<number> {
  const blocked = await request(proxyUrl + CHAT_PATH, 'POST', chatBody('Please say BLOCKME back to me.'));
  const answer = await request(callsUrl, 'GET');
  if (answer.status !== 200) throw new Error(`tms-stand-in: GET /calls answered ${answer.status}`);
  const stats = JSON.parse(answer.text) as CallStats;
  const expected = atLeast + 1;
  const wrong = [
    stats.calls < expected && `${stats.calls} calls, expected at least ${expected}`,
    stats.valid !== stats.calls && `${stats.calls - stats.valid} with an invalid signature`,
    stats.tokenOk !== stats.calls && `${stats.calls - stats.tokenOk} without the session token`,
    stats.actions.TextModeration !== stats.calls && `actions ${JSON.stringify(stats.actions)}`,
    stats.regions[BENCH_TMS_REGION] !== stats.calls && `regions ${JSON.stringify(stats.regions)}`,
  ].filter((x) => x !== false);
  if (wrong.length > 0) {
    throw new Error(
      `oxy-moderated's TMS calls were not all correct: ${wrong.join('; ')} (signature failures ${JSON.stringify(stats.failures)})`,
    );
  }
  if (blocked.status !== 400 || !blocked.text.includes('content_filter')) {
    throw new Error(`oxy-moderated: a prompt with BLOCKME answered ${blocked.status} ${blocked.text}`);
  }
  return stats.calls;
}

export interface PromptDelayResult {
  /** Per request: monotonic ms from sending to the answer's headers. */
  plainMs: number[];
  moderatedMs: number[];
}

/**
 * `requests` non-stream chat requests to each of oxy and oxy-moderated, one at a time, alternating between
 * the two so drift hits both alike; one keep-alive connection to each, so no connect is timed.
 */
export async function measurePromptDelay(
  plainUrl: string,
  moderatedUrl: string,
  requests: number,
): Promise<PromptDelayResult> {
  const plainAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const moderatedAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const result: PromptDelayResult = { plainMs: [], moderatedMs: [] };
  const one = async (url: string, agent: http.Agent, into: number[]): Promise<void> => {
    const answer = await request(url + CHAT_PATH, 'POST', CHAT_BODY, agent);
    if (answer.status !== 200) throw new Error(`prompt delay: ${url} answered ${answer.status}`);
    into.push(answer.firstByteMs);
  };
  try {
    for (let i = 0; i < requests; i++) {
      if (i % 2 === 0) {
        await one(plainUrl, plainAgent, result.plainMs);
        await one(moderatedUrl, moderatedAgent, result.moderatedMs);
      } else {
        await one(moderatedUrl, moderatedAgent, result.moderatedMs);
        await one(plainUrl, plainAgent, result.plainMs);
      }
    }
  } finally {
    plainAgent.destroy();
    moderatedAgent.destroy();
  }
  return result;
}
