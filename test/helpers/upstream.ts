import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** What the upstream saw of one request. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  remotePort: number;
  /** The TLS server name (SNI) the client sent; undefined over plain http, false if it sent none. */
  servername?: string | false;
  /** Resolves when the request's connection or response closes, whichever first; true if before the response ended. */
  closedEarly: Promise<boolean>;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void | Promise<void>;

export interface Upstream {
  url: string;
  port: number;
  seen: Seen[];
  server: http.Server;
  /** Connections accepted so far; over https, only those whose TLS handshake completed. */
  connections(): number;
  /** Over https, the server name (SNI) of every TLS hello, whether or not the handshake then completed. */
  serverNames(): string[];
  close(): Promise<void>;
}

export interface UpstreamOptions {
  /** Serve https with this certificate and key, at `https://localhost:<port>` (a name, so clients send SNI). */
  tls?: { cert: string; key: string };
}

/** Echoes what it received as JSON: the default upstream of most tests. */
export const echo: UpstreamHandler = (_req, res, seen) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({ method: seen.method, url: seen.url, headers: seen.headers, body: seen.body.toString() }),
  );
};

/** A real upstream on 127.0.0.1, port 0. The handler runs once the request body is complete. */
export async function startUpstream(
  handler: UpstreamHandler = echo,
  options: UpstreamOptions = {},
): Promise<Upstream> {
  const seen: Seen[] = [];
  const listener: http.RequestListener = (req, res) => {
    const closedEarly = new Promise<boolean>((resolve) =>
      res.once('close', () => resolve(!res.writableFinished)),
    );
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        remotePort: req.socket.remotePort ?? 0,
        servername: options.tls ? ((req.socket as TLSSocket).servername ?? false) : undefined,
        closedEarly,
      };
      seen.push(s);
      void handler(req, res, s);
    });
  };
  const serverNames: string[] = [];
  // Called during each hello that names a server; no context given back means the server's own.
  const SNICallback = (name: string, done: (err: Error | null) => void): void => {
    serverNames.push(name);
    done(null);
  };
  const server = options.tls
    ? https.createServer({ ...options.tls, SNICallback }, listener)
    : http.createServer(listener);
  let connections = 0;
  server.on(options.tls ? 'secureConnection' : 'connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    port,
    seen,
    server,
    connections: () => connections,
    serverNames: () => serverNames,
    close: () => closeServer(server),
  };
}

/** Closes a test server now, keep-alive connections included. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** A deferred promise, for upstreams that wait on the test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Rejects after `ms`, naming what it waited for: keeps a stuck stream from hanging a test. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
