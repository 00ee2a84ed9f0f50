/**
 * Fake OpenAI upstream for the benchmark, run as its own process so its CPU is not the load generator's:
 * `node --import tsx bench/upstream.ts`. Listens on 127.0.0.1:0 and prints `{"port":N}` once ready.
 *
 *   POST /v1/chat/completions   a ~600-byte chat.completion JSON;
 *     with `"stream":true` in the body (or `?stream` in the URL): SSE, `chunks` chunks (default 50) one
 *     every `interval_ms` ms (default 10), each carrying its send time `oxy_bench_sent_ms` (bench/clock.ts),
 *     then `data: [DONE]`
 *   POST /v1/files              reads and discards the body, answers `{"bytes":N}`
 *   GET  /v1/models             a small model list
 */
import http from 'node:http';
import { nowMs } from './clock';

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

function apiHeaders(contentType: string): http.OutgoingHttpHeaders {
  return {
    'content-type': contentType,
    'x-request-id': 'req_0b5f8e2d6c1a4e7f9a3b2c1d0e9f8a7b',
    'openai-processing-ms': '312',
    'openai-version': '2020-10-01',
  };
}

function sendJson(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { ...apiHeaders('application/json'), 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function chunkJson(index: number, last: boolean): string {
  const delta = index === 0 ? { role: 'assistant', content: '' } : last ? {} : { content: ` token${index}` };
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

function stream(res: http.ServerResponse, chunks: number, intervalMs: number): void {
  res.writeHead(200, { ...apiHeaders('text/event-stream; charset=utf-8'), 'cache-control': 'no-cache' });
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

function chat(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
  const parts: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_JSON_BODY) parts.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_JSON_BODY) return sendJson(res, 413, '{"error":{"message":"body too large"}}');
    let body: { stream?: unknown };
    try {
      body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { stream?: unknown };
    } catch {
      return sendJson(res, 400, '{"error":{"message":"invalid JSON body"}}');
    }
    if (body.stream === true || url.searchParams.has('stream')) {
      return stream(res, intParam(url, 'chunks', 50, 10_000), intParam(url, 'interval_ms', 10, 10_000));
    }
    sendJson(res, 200, COMPLETION);
  });
}

function discard(req: http.IncomingMessage, res: http.ServerResponse): void {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => (bytes += chunk.length));
  req.on('end', () => sendJson(res, 200, JSON.stringify({ object: 'file', bytes })));
}

const server = http.createServer({ noDelay: true }, (req, res) => {
  const url = new URL(req.url ?? '/', 'http://upstream');
  if (req.method === 'POST' && url.pathname === '/v1/chat/completions') return chat(req, res, url);
  if (req.method === 'POST' && url.pathname === '/v1/files') return discard(req, res);
  if (req.method === 'GET' && url.pathname === '/v1/models') return sendJson(res, 200, MODELS);
  req.resume();
  sendJson(res, 404, '{"error":{"message":"not found"}}');
});
// Longer than any pause in the bench, so a proxy never reuses a keep-alive socket the upstream is closing.
server.keepAliveTimeout = 10 * 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('upstream: no TCP address');
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
