import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Kind } from './faulty-upstream';

/** One soak request: what it asks the upstream for, and how the client behaves. */
export interface Job {
  id: string;
  kind: Kind;
  method: 'GET' | 'POST';
  path: string;
  /** Bytes of request body (POST only). */
  upload: number;
  /** For JSON answers: the pad length the upstream puts in its body. */
  size: number;
  /** For SSE: the number of data events before the end (or the fault). */
  events: number;
}

/** What the client saw. */
export interface Outcome {
  /** `answer`: a complete response; `cut`: headers arrived, then the connection ended before the body did;
   * `error`: the request failed before any response; `aborted`: the client gave up on purpose. */
  kind: 'answer' | 'cut' | 'error' | 'aborted';
  status?: number;
  body?: string;
  /** SSE: data events received, `[DONE]` seen, an `event: error` seen. */
  events?: number;
  done?: boolean;
  errorEvent?: boolean;
  error?: string;
  /** performance.now() of the client's abort. */
  abortedAt?: number;
  /** performance.now() of the first response byte, for aborts that waited for it. */
  ms: number;
}

const ABORT_BEFORE_HEADERS_MS = 60;
const EVENTS_BEFORE_ABORT = 3;
/** A client never waits longer than this for one request: every injected delay is far shorter. */
const REQUEST_LIMIT_MS = 10_000;

/** Sends one job through the proxy and classifies what came back. Never rejects; bounded by REQUEST_LIMIT_MS. */
export function send(agent: http.Agent, base: URL, job: Job): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (o: Omit<Outcome, 'ms'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(limit);
      clearTimeout(abortTimer);
      resolve({ ...o, ms: performance.now() - started });
    };
    const body = job.upload > 0 ? Buffer.alloc(job.upload, 'u') : undefined;
    const req = http.request({
      agent,
      host: base.hostname,
      port: base.port,
      method: job.method,
      path: job.path,
      headers: {
        'x-soak-id': job.id,
        // The platform's request id, as SCF sets it: the proxy's log lines then name the job.
        'x-scf-request-id': job.id,
        authorization: 'Bearer soak-test-key',
        ...(body ? { 'content-type': 'application/json', 'content-length': body.length } : {}),
      },
    });
    const abort = (): void => {
      const abortedAt = performance.now();
      req.destroy();
      finish({ kind: 'aborted', abortedAt });
    };
    const limit = setTimeout(() => {
      req.destroy();
      finish({ kind: 'error', error: `no outcome within ${REQUEST_LIMIT_MS} ms` });
    }, REQUEST_LIMIT_MS);
    const abortTimer =
      job.kind === 'abort-before-headers' ? setTimeout(abort, ABORT_BEFORE_HEADERS_MS) : undefined;
    let responded = false;
    // After the head has arrived, a reset also fails the request: the response's close classifies it.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!responded) finish({ kind: 'error', error: err.code ?? err.message });
    });
    req.on('response', (res) => {
      responded = true;
      const sse = /text\/event-stream/.test(res.headers['content-type'] ?? '');
      let text = '';
      let events = 0;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (!sse) return;
        events = (text.match(/^data: \{/gm) ?? []).length;
        if (job.kind === 'abort-mid-stream' && events >= EVENTS_BEFORE_ABORT) abort();
      });
      res.on('error', () => undefined);
      res.on('close', () => {
        const seen = {
          status: res.statusCode,
          body: sse ? undefined : text,
          events: sse ? events : undefined,
          done: sse ? text.includes('data: [DONE]') : undefined,
          errorEvent: sse ? /^event: error$/m.test(text) : undefined,
        };
        finish({ kind: res.complete ? 'answer' : 'cut', ...seen });
      });
    });
    req.end(body);
  });
}

/** Does `o` match what `job` must produce? Returns why not, or undefined. */
export function mismatch(job: Job, o: Outcome): string | undefined {
  const want = (cond: boolean, what: string): string | undefined => (cond ? undefined : what);
  const answered = (status: number): string | undefined =>
    want(o.kind === 'answer' && o.status === status, `a complete ${status}`);
  switch (job.kind) {
    case 'ok':
    case 'slow': {
      const bad = answered(200);
      if (bad) return bad;
      try {
        const parsed = JSON.parse(o.body ?? '') as { id?: string; pad?: string };
        return want(parsed.id === job.id && parsed.pad?.length === job.size, 'its own body, whole');
      } catch {
        return 'a JSON body';
      }
    }
    case 'stall':
      return (
        answered(504) ?? want(/"code":"upstream_[a-z_]*timeout"/.test(o.body ?? ''), 'a timeout error code')
      );
    case 'reset-before-headers':
    case 'refused':
      return answered(502);
    case 'reset-mid-body':
      // Never a clean end: a broken response, or a reset before its head left the proxy.
      return want(o.kind === 'cut' || o.error === 'ECONNRESET', 'a cut answer or a reset');
    case 'sse':
      return (
        answered(200) ??
        want(o.events === job.events && o.done === true, `all ${job.events} events and [DONE]`)
      );
    case 'sse-cut':
    case 'sse-stall':
      return want(o.kind === 'cut' && o.done === false, 'a cut stream (never a clean end)');
    case 'abort-before-headers':
    case 'abort-mid-stream':
      return want(o.kind === 'aborted', 'the client to abort (not an answer first)');
  }
}
