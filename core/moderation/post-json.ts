import { type Agent, type OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import { https } from '../lazy-modules';
import { ModerationFailure } from './verdict';

/** A real moderation answer is a few KB; anything past this is no answer and is not buffered. */
const MAX_ANSWER_BYTES = 1 << 20;

export interface PostOptions {
  url: URL;
  agent: Agent;
  headers: OutgoingHttpHeaders;
  body: string;
  /** The whole call, from sending to the last byte of the answer. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** How failures name the service: `TMS`, `OpenAI's moderation endpoint`. */
  name: string;
}

/**
 * POSTs a moderation request and gives the body of a 200 answer. Every other outcome rejects with a
 * ModerationFailure whose message names the cause, never the address, the text or a credential: no
 * connection, a status other than 200, an answer over 1 MiB or cut off, the time limit, the caller's abort.
 */
export function postJson(options: PostOptions): Promise<Buffer> {
  const { url, agent, headers, body, timeoutMs, signal, name } = options;
  return new Promise<Buffer>((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const request = url.protocol === 'https:' ? https().request : httpRequest;
    const req = request({
      hostname: url.hostname.replace(/^\[|\]$/g, ''), // an IPv6 literal loses its brackets
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers,
      agent,
    });
    const onAbort = (): void => fail(aborted());
    const timer = setTimeout(
      () =>
        fail(new ModerationFailure('moderation_timeout', `${name} did not answer within ${timeoutMs} ms.`)),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    function settle(): boolean {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    }
    function fail(err: ModerationFailure): void {
      if (!settle()) return;
      req.destroy();
      reject(err);
    }

    req.on('error', (err: Error & { code?: unknown }) => {
      // The Node code (ECONNREFUSED, ECONNRESET) says what failed; the message would add the address.
      const code = typeof err.code === 'string' && /^[A-Z_]+$/.test(err.code) ? ` (${err.code})` : '';
      fail(new ModerationFailure('moderation_unavailable', `${name} could not be reached${code}.`));
    });
    req.on('response', (res) => {
      const httpStatus = res.statusCode ?? 0;
      if (httpStatus !== 200) {
        res.resume();
        return fail(
          new ModerationFailure('moderation_bad_status', `${name} answered HTTP ${httpStatus}.`, {
            httpStatus,
          }),
        );
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        else fail(new ModerationFailure('moderation_malformed', `The ${name} answer is too large.`));
      });
      res.on('end', () => {
        if (settle()) resolve(Buffer.concat(chunks));
      });
      res.on('close', () => {
        if (!res.complete)
          fail(new ModerationFailure('moderation_unavailable', `${name} closed the connection mid-answer.`));
      });
    });
    req.end(body);
  });
}

export function aborted(): ModerationFailure {
  return new ModerationFailure('moderation_aborted', 'The moderation check was aborted.');
}
