/**
 * Fake OpenAI upstream for the benchmark, run as its own process so its CPU is not the load generator's:
 * `node --import tsx bench/upstream.ts`. Listens on two ports of 127.0.0.1, one per answer style, and
 * prints `{"openai":N,"minimal":M}` once both are ready:
 *
 *   openai    answers carry OpenAI-like headers (`x-request-id`, `openai-processing-ms`, `openai-version`)
 *             beside `content-type` and `content-length`, and Node's `date`;
 *   minimal   answers carry only `content-type` and `content-length` (no `date` either; Node still adds
 *             the hop-by-hop `connection` / `keep-alive`), so a proxy's fixed per-request cost shows.
 *
 * Both serve the same bodies:
 *
 *   POST /v1/chat/completions   a ~600-byte chat.completion JSON;
 *     with `"stream":true` in the body (or `?stream` in the URL): SSE, `chunks` chunks (default 50) one
 *     every `interval_ms` ms (default 10), each carrying its send time `oxy_bench_sent_ms` (bench/clock.ts),
 *     then `data: [DONE]`; the first chunk carries the role, the last the finish_reason, every other one
 *     token of a ten-token English sentence repeated (bench/stream-text.ts: a sentence ends every ten chunks)
 *   POST /v1/files              reads and discards the body, answers `{"bytes":N}`
 *   GET  /v1/models             a small model list
 *   GET  /bench/auth            `{"<authorization header>": count, ...}` of the chat requests and
 *                               WebSocket upgrades received (on either port) since the last call, which
 *                               resets the counts: the bench checks with it that oxy-keys forwards pool
 *                               keys and never the proxy key
 *   GET  /v1/realtime           a WebSocket (the `ws` package, no compression) answering every message
 *                               with itself, text as text and binary as binary; other upgrades get 404
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { nowMs } from './clock';
import { streamToken } from './stream-text';

/** Largest chat request body read into memory; larger ones get 413 (uploads go to /v1/files). */
const MAX_JSON_BODY = 1 << 20;
const CREATED = 1741570283;

const COMPLETION = JSON.stringify({
  id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
  object: 'chat.completion',
  created: CREATED,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content:
          'A reverse proxy forwards each request to the upstream and streams the answer back unchanged.',
        refusal: null,
        annotations: [],
      },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 19,
    completion_tokens: 18,
    total_tokens: 37,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  },
  service_tier: 'default',
  system_fingerprint: 'fp_06737a9306',
});

const MODELS = JSON.stringify({
  object: 'list',
  data: [{ id: 'gpt-4o-mini', object: 'model', created: CREATED, owned_by: 'system' }],
});

type Mode = 'openai' | 'minimal';

/** Authorization headers of the chat requests and upgrades received since the last GET /bench/auth. */
let authSeen = new Map<string, number>();

function countAuth(req: http.IncomingMessage): void {
  const auth = req.headers.authorization ?? '(none)';
  authSeen.set(auth, (authSeen.get(auth) ?? 0) + 1);
}

function apiHeaders(mode: Mode, contentType: string): http.OutgoingHttpHeaders {
  if (mode === 'minimal') return { 'content-type': contentType };
  return {
    'content-type': contentType,
    'x-request-id': 'req_0b5f8e2d6c1a4e7f9a3b2c1d0e9f8a7b',
    'openai-processing-ms': '312',
    'openai-version': '2020-10-01',
  };
}

function sendJson(mode: Mode, res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    ...apiHeaders(mode, 'application/json'),
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function chunkJson(index: number, last: boolean): string {
  const delta =
    index === 0 ? { role: 'assistant', content: '' } : last ? {} : { content: streamToken(index) };
  return JSON.stringify({
    id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: 'gpt-4o-mini-2024-07-18',
    system_fingerprint: 'fp_06737a9306',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: last ? 'stop' : null }],
    oxy_bench_sent_ms: nowMs(),
  });
}

function stream(mode: Mode, res: http.ServerResponse, chunks: number, intervalMs: number): void {
  const extra = mode === 'minimal' ? {} : { 'cache-control': 'no-cache' };
  res.writeHead(200, { ...apiHeaders(mode, 'text/event-stream; charset=utf-8'), ...extra });
  res.flushHeaders();
  let sent = 0;
  const timer = setInterval(() => {
    if (sent < chunks) {
      res.write(`data: ${chunkJson(sent, sent === chunks - 1)}\n\n`);
      sent++;
      return;
    }
    clearInterval(timer);
    res.end('data: [DONE]\n\n');
  }, intervalMs);
  res.on('close', () => clearInterval(timer));
}

function intParam(url: URL, name: string, fallback: number, max: number): number {
  const n = Number(url.searchParams.get(name) ?? fallback);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback;
}

function chat(mode: Mode, req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
  countAuth(req);
  const parts: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_JSON_BODY) parts.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_JSON_BODY) return sendJson(mode, res, 413, '{"error":{"message":"body too large"}}');
    let body: { stream?: unknown };
    try {
      body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { stream?: unknown };
    } catch {
      return sendJson(mode, res, 400, '{"error":{"message":"invalid JSON body"}}');
    }
    if (body.stream === true || url.searchParams.has('stream')) {
      return stream(mode, res, intParam(url, 'chunks', 50, 10_000), intParam(url, 'interval_ms', 10, 10_000));
    }
    sendJson(mode, res, 200, COMPLETION);
  });
}

function discard(mode: Mode, req: http.IncomingMessage, res: http.ServerResponse): void {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => (bytes += chunk.length));
  req.on('end', () => sendJson(mode, res, 200, JSON.stringify({ object: 'file', bytes })));
}

function authCounts(res: http.ServerResponse): void {
  const body = JSON.stringify(Object.fromEntries(authSeen));
  authSeen = new Map();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The path of the echo WebSocket (the path OpenAI's Realtime API answers on). */
const REALTIME_PATH = '/v1/realtime';

const echo = new WebSocketServer({ noServer: true, perMessageDeflate: false });

function echoSession(ws: WebSocket): void {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => ws.terminate());
}

function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  const url = new URL(req.url ?? '/', 'http://upstream');
  if (url.pathname !== REALTIME_PATH) {
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  countAuth(req);
  echo.handleUpgrade(req, socket, head, echoSession);
}

function server(mode: Mode): http.Server {
  const s = http.createServer({ noDelay: true }, (req, res) => {
    if (mode === 'minimal') res.sendDate = false;
    const url = new URL(req.url ?? '/', 'http://upstream');
    if (req.method === 'POST' && url.pathname === '/v1/chat/completions') return chat(mode, req, res, url);
    if (req.method === 'POST' && url.pathname === '/v1/files') return discard(mode, req, res);
    if (req.method === 'GET' && url.pathname === '/v1/models') return sendJson(mode, res, 200, MODELS);
    if (req.method === 'GET' && url.pathname === '/bench/auth') return authCounts(res);
    req.resume();
    sendJson(mode, res, 404, '{"error":{"message":"not found"}}');
  });
  s.on('upgrade', upgrade);
  // Longer than any pause in the bench, so a proxy never reuses a keep-alive socket the upstream is closing.
  s.keepAliveTimeout = 10 * 60_000;
  return s;
}

function listen(s: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      if (address === null || typeof address === 'string') reject(new Error('upstream: no TCP address'));
      else resolve(address.port);
    });
  });
}

Promise.all([listen(server('openai')), listen(server('minimal'))]).then(
  ([openai, minimal]) => process.stdout.write(`${JSON.stringify({ openai, minimal })}\n`),
  (err: Error) => {
    process.stderr.write(`upstream: ${err.message}\n`);
    process.exit(1);
  },
);
process.on('SIGTERM', () => process.exit(0));
