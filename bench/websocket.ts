/**
 * WebSocket relay: concurrent sessions to the fake upstream's echo endpoint (bench/upstream.ts,
 * `/v1/realtime`), each sending Realtime-like `input_audio_buffer.append` messages in lockstep: send one,
 * wait for its echo, then send the next on the session's next tick. The round trip of every message is
 * timed on the client's clock (bench/clock.ts) from just before `send()` to the echo's arrival; through a
 * proxy it crosses the relay twice (client → upstream, then the echo back).
 */
import WebSocket from 'ws';
import { nowMs, sleep } from './clock';
import { AUTH_HEADERS } from './load';

export const REALTIME_PATH = '/v1/realtime';

export interface WebSocketOptions {
  sessions: number;
  /** Messages per session. */
  messages: number;
  /** Each session sends a message this long after its previous one, or as soon as that one's echo is in. */
  intervalMs: number;
  /** Size of each message (a JSON text frame), bytes. */
  messageBytes: number;
}

export interface WebSocketResult {
  /** Per message: echo received − sent, in ms. */
  roundTripsMs: number[];
}

/** Deterministic bytes standing in for 24 kHz PCM16 audio, so every run sends the same frames. */
function fakeAudio(bytes: number): string {
  const pcm = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) pcm[i] = (i * 73 + 41) & 0xff;
  return pcm.toString('base64');
}

/**
 * An `input_audio_buffer.append` event of `bytes` bytes, or up to 3 fewer (the base64 audio fills what the
 * rest leaves, in whole 4-character groups), the same size for every session and index; its `event_id`
 * is unique per session and message, so an echo can be matched to what was sent.
 */
export function appendMessage(bytes: number, session: number, index: number): string {
  const shell = (audio: string): string =>
    JSON.stringify({
      type: 'input_audio_buffer.append',
      event_id: `event_${String(session).padStart(4, '0')}_${String(index).padStart(6, '0')}`,
      audio,
    });
  const groups = Math.floor((bytes - Buffer.byteLength(shell(''))) / 4);
  if (groups < 1) throw new Error(`WebSocket message of ${bytes} bytes: too small for an append event`);
  return shell(fakeAudio(groups * 3));
}

/** Runs `sessions` sessions at once; every session must open, echo each message unchanged, and close. */
export async function measureWebSocket(baseUrl: string, options: WebSocketOptions): Promise<WebSocketResult> {
  const url = `${baseUrl.replace(/^http/, 'ws')}${REALTIME_PATH}`;
  const timeoutMs = options.messages * options.intervalMs + 15_000;
  // Session starts spread over one interval, as independent clients' would be.
  const runs = Array.from({ length: options.sessions }, (_, i) =>
    sleep((options.intervalMs * i) / options.sessions).then(() => oneSession(url, i, options, timeoutMs)),
  );
  const results = await Promise.all(runs);
  return { roundTripsMs: results.flat() };
}

function oneSession(url: string, session: number, options: WebSocketOptions, timeoutMs: number) {
  return new Promise<number[]>((resolve, reject) => {
    const roundTripsMs: number[] = [];
    const ws = new WebSocket(url, {
      headers: AUTH_HEADERS,
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
    });
    let settled = false;
    let expected = '';
    let sentMs = 0;
    let tick: NodeJS.Timeout | undefined;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(tick);
      if (err) {
        ws.terminate();
        return reject(new Error(`WebSocket ${url}, session ${session}: ${err.message}`));
      }
      // A clean close, bounded: terminated if the other side does not answer the close in time.
      const kill = setTimeout(() => ws.terminate(), 1000);
      ws.once('close', () => {
        clearTimeout(kill);
        resolve(roundTripsMs);
      });
      ws.close(1000);
    };
    const timer = setTimeout(
      () => finish(new Error(`${roundTripsMs.length}/${options.messages} echoes in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const send = (): void => {
      if (settled) return;
      expected = appendMessage(options.messageBytes, session, roundTripsMs.length);
      sentMs = nowMs();
      ws.send(expected);
    };
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      finish(new Error(`upgrade answered ${res.statusCode}`));
    });
    ws.on('error', (err) => finish(err));
    ws.on('close', (code) => {
      if (!settled) finish(new Error(`closed with ${code} after ${roundTripsMs.length} echoes`));
    });
    ws.on('open', send);
    ws.on('message', (data, isBinary) => {
      const receivedMs = nowMs();
      if (settled) return;
      const text = (data as Buffer).toString('utf8');
      if (isBinary || text !== expected) {
        return finish(new Error(`echo ${roundTripsMs.length} differs from the message sent`));
      }
      roundTripsMs.push(receivedMs - sentMs);
      if (roundTripsMs.length === options.messages) return finish();
      tick = setTimeout(send, Math.max(0, sentMs + options.intervalMs - nowMs()));
    });
  });
}
