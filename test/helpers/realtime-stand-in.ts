import http, { type IncomingHttpHeaders } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { WebSocketServer } from 'ws';
import type { KeyPair } from './test-pki';
import { closeServer, deferred } from './upstream';

/** What the stand-in saw of one session: the upgrade request, the client's events, and how it closed. */
export interface RealtimeSession {
  url: string;
  headers: IncomingHttpHeaders;
  /** The `type` of every event the client sent, in order. */
  received: string[];
  closed: Promise<{ code: number; reason: string }>;
}

export interface RealtimeStandIn {
  url: string;
  sessions: RealtimeSession[];
  close(): Promise<void>;
}

/** The text the stand-in's response streams, one delta per piece. */
export const DELTAS = ['Hel', 'lo'];

/**
 * A loopback stand-in of OpenAI's Realtime API (GA event names, as `openai` 6 types them) on 127.0.0.1,
 * port 0: `session.created` on connection, `session.updated` for `session.update`, and for
 * `response.create` a short text response: `response.created`, a delta per DELTAS, `response.output_text.done`,
 * `response.done`.
 */
export async function startRealtimeStandIn(): Promise<RealtimeStandIn> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  const sessions: RealtimeSession[] = [];
  let n = 0;
  wss.on('connection', (ws, req) => {
    const closed = deferred<{ code: number; reason: string }>();
    const session: RealtimeSession = {
      url: req.url ?? '',
      headers: req.headers,
      received: [],
      closed: closed.promise,
    };
    sessions.push(session);
    ws.on('close', (code, reason) => closed.resolve({ code, reason: reason.toString() }));
    ws.on('error', () => undefined);
    const send = (event: Record<string, unknown>): void =>
      ws.send(JSON.stringify({ event_id: `event_${++n}`, ...event }));
    const model = new URL(session.url, 'http://stand-in').searchParams.get('model');
    const base = { type: 'realtime', object: 'realtime.session', id: 'sess_1', model };
    send({ type: 'session.created', session: base });
    ws.on('message', (data) => {
      const event = JSON.parse(String(data)) as { type: string; session?: object };
      session.received.push(event.type);
      if (event.type === 'session.update')
        return send({ type: 'session.updated', session: { ...base, ...event.session } });
      if (event.type !== 'response.create') return;
      const ids = { response_id: 'resp_1', item_id: 'item_1', output_index: 0, content_index: 0 };
      const response = { id: 'resp_1', object: 'realtime.response', output: [] as unknown[] };
      send({ type: 'response.created', response: { ...response, status: 'in_progress' } });
      for (const delta of DELTAS) send({ type: 'response.output_text.delta', ...ids, delta });
      send({ type: 'response.output_text.done', ...ids, text: DELTAS.join('') });
      const item = { id: 'item_1', type: 'message', role: 'assistant', status: 'completed' };
      const content = [{ type: 'output_text', text: DELTAS.join('') }];
      send({
        type: 'response.done',
        response: { ...response, status: 'completed', output: [{ ...item, content }] },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sessions,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await closeServer(server);
    },
  };
}

export interface TlsFront {
  port: number;
  close(): Promise<void>;
}

/**
 * The platform's gateway in front of a function: TLS on 127.0.0.1, port 0, with `pair`, each connection's
 * bytes piped to and from the plain-HTTP port `port` unchanged. The SDK's Realtime class always dials
 * `wss://` (a Function URL answers WebSocket as wss), so it needs TLS in front of a zip.
 */
export async function startTlsFront(pair: KeyPair, port: number): Promise<TlsFront> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(pair, (client) => {
    const up = net.connect(port, '127.0.0.1');
    for (const s of [client, up]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => (client.destroy(), up.destroy()));
    }
    client.pipe(up);
    up.pipe(client);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
