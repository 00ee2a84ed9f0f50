/**
 * Streamed completions: concurrent SSE streams from the fake upstream, timing every chunk from the
 * upstream's send timestamp to the moment the client reads it, and counting chunks that arrive merged
 * into one read with an earlier chunk (a proxy buffering instead of flushing each write).
 *
 * For moderated streams it also times every chunk with text from the send time of the chunk that completed
 * its sentence: the earliest moment a proxy checking sentence by sentence could know the sentence whole.
 */
import http from 'node:http';
import { nowMs } from './clock';
import { CHAT_HEADERS, CHAT_PATH } from './load';

export interface SseOptions {
  streams: number;
  chunks: number;
  intervalMs: number;
}

export interface SseResult {
  /** Per chunk: client receive time − upstream send time, in ms. */
  delaysMs: number[];
  /** Chunks read in the same `data` event as an earlier chunk. */
  merged: number;
  /**
   * Per chunk with text: client receive time − upstream send time of the chunk that completed the chunk's
   * sentence (`sentenceEnds`), in ms. Negative for chunks an unmoderated proxy delivers before that.
   */
  sinceSentenceEndMs: number[];
}

/** One chunk as the client read it. */
export interface ChunkSeen {
  sentMs: number;
  receivedMs: number;
  /** The chunk's `delta.content`, '' when it has none. */
  text: string;
  /** The chunk carries a `finish_reason`. */
  finish: boolean;
}

/** Text that ends a sentence: . ! ? then closing quotes or brackets. */
const ENDS = /[.!?]["')]*$/;
/** Text that would go on with the run of enders before it ("..", "?!", a closing quote). */
const GOES_ON = /^[.!?"')]/;

const BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Stream me fifty tokens.' }],
  stream: true,
});

/** Runs `streams` streams at once; every stream must deliver all its chunks and [DONE]. */
export async function measureSse(baseUrl: string, options: SseOptions): Promise<SseResult> {
  const timeoutMs = options.chunks * options.intervalMs + 10_000;
  const runs = Array.from({ length: options.streams }, () => oneStream(baseUrl, options, timeoutMs));
  const results = await Promise.all(runs);
  return {
    delaysMs: results.flatMap((r) => r.delaysMs),
    merged: results.reduce((sum, r) => sum + r.merged, 0),
    sinceSentenceEndMs: results.flatMap((r) => r.sinceSentenceEndMs),
  };
}

/**
 * For every chunk with text, in order: receive time minus the send time of the chunk after which its sentence
 * was known to be whole, by the rule of oxy's splitter (core/moderation/sentences.ts) as far as the bench's
 * English tokens go: a sentence ends with . ! or ? and is known to have ended once the next text arrives
 * and does not go on with the run, or once a chunk carries a finish_reason (which ends the unfinished tail).
 */
export function sentenceEnds(chunks: readonly ChunkSeen[]): number[] {
  const out: number[] = [];
  let open: ChunkSeen[] = [];
  let ended = false;
  const complete = (by: ChunkSeen): void => {
    for (const c of open) out.push(c.receivedMs - by.sentMs);
    open = [];
    ended = false;
  };
  for (const chunk of chunks) {
    if (chunk.text !== '') {
      if (ended && !GOES_ON.test(chunk.text)) complete(chunk);
      open.push(chunk);
      ended = ENDS.test(chunk.text);
    }
    if (chunk.finish) complete(chunk);
  }
  const last = chunks[chunks.length - 1];
  if (last !== undefined) complete(last);
  return out;
}

function oneStream(baseUrl: string, options: SseOptions, timeoutMs: number): Promise<SseResult> {
  const url = `${baseUrl}${CHAT_PATH}?chunks=${options.chunks}&interval_ms=${options.intervalMs}`;
  return new Promise((resolve, reject) => {
    const delaysMs: number[] = [];
    const seen: ChunkSeen[] = [];
    let merged = 0;
    let done = false;
    let pending = '';
    /** Parses the complete events in `pending`; returns how many chunks came after another in this read. */
    const readEvents = (receivedMs: number): number => {
      let inThisRead = 0;
      for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
        const event = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const data = event.startsWith('data: ') ? event.slice(6) : '';
        if (data === '[DONE]') {
          done = true;
          continue;
        }
        const chunk = JSON.parse(data) as {
          oxy_bench_sent_ms?: unknown;
          choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[];
        };
        const sent = chunk.oxy_bench_sent_ms;
        if (typeof sent !== 'number') throw new Error('chunk without oxy_bench_sent_ms');
        delaysMs.push(receivedMs - sent);
        const choice = chunk.choices?.[0];
        const text = choice?.delta?.content;
        seen.push({
          sentMs: sent,
          receivedMs,
          text: typeof text === 'string' ? text : '',
          finish: typeof choice?.finish_reason === 'string',
        });
        inThisRead++;
      }
      return Math.max(0, inThisRead - 1);
    };
    const req = http.request(url, {
      method: 'POST',
      agent: false,
      headers: { ...CHAT_HEADERS, accept: 'text/event-stream', 'content-length': Buffer.byteLength(BODY) },
    });
    const fail = (err: Error): void => {
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`SSE ${url}: not done in ${timeoutMs} ms`)), timeoutMs);
    req.on('socket', (socket) => socket.setNoDelay(true));
    req.on('error', fail);
    req.on('response', (res) => {
      if (res.statusCode !== 200 || !/^text\/event-stream/.test(res.headers['content-type'] ?? '')) {
        res.resume();
        return fail(new Error(`SSE ${url}: status ${res.statusCode}, type ${res.headers['content-type']}`));
      }
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        const receivedMs = nowMs();
        pending += text;
        try {
          merged += readEvents(receivedMs);
        } catch (err) {
          fail(new Error(`SSE ${url}: ${(err as Error).message}`));
        }
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        if (!done || delaysMs.length !== options.chunks) {
          return reject(new Error(`SSE ${url}: ${delaysMs.length}/${options.chunks} chunks, [DONE] ${done}`));
        }
        resolve({ delaysMs, merged, sinceSentenceEndMs: sentenceEnds(seen) });
      });
    });
    req.end(BODY);
  });
}
