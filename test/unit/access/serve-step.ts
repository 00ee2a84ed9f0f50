import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Step } from '../../../core/step';

/** What the code after the step (the rest of the pipeline) does with a request the step let through. */
export type Next = (req: IncomingMessage, res: ServerResponse) => void;

/** Stands in for the proxy: answers 200 with `writeHead(status, headers)`, as core/upstream/proxy.ts does. */
export const passThrough: Next = (_req, res) => {
  const body = '{"passed":true}';
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface StepServer {
  /** Sends one request and reads the whole answer. */
  request(method: string, headers?: http.OutgoingHttpHeaders, body?: string): Promise<Answer>;
  /** How many requests got past the step. */
  passed(): number;
  close(): Promise<void>;
}

/**
 * A real node:http server on 127.0.0.1, port 0, that runs `step` the way core/app.ts does and hands what
 * it does not answer to `next`. `prepare` may adjust the request first (e.g. a socket with no address).
 */
export async function serveStep(
  step: Step,
  next: Next = passThrough,
  prepare?: (req: IncomingMessage) => void,
): Promise<StepServer> {
  let passed = 0;
  const server = http.createServer((req, res) => {
    prepare?.(req);
    if (step(req, res, { id: 't', start: 0 })) return;
    passed++;
    next(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    request: (method, headers = {}, body) =>
      new Promise((resolve, reject) => {
        const req = http.request({
          host: '127.0.0.1',
          port,
          method,
          path: '/v1/models',
          headers,
          agent: false,
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString(),
            }),
          );
        });
        req.on('error', reject);
        req.end(body);
      }),
    passed: () => passed,
    close: () =>
      new Promise<void>((resolve) => {
        // Node 16 (an SCF runtime) has no closeAllConnections; requests here close their connection anyway.
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
