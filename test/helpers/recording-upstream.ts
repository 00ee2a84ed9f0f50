import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { type Upstream, type UpstreamHandler, echo, startUpstream } from './upstream';

/**
 * An upstream behind a byte recorder: a raw TCP relay in front of a node:http server on 127.0.0.1:0.
 * `bytes()` gives every byte the proxy sent, per connection, exactly as written; `seen` is how a real
 * HTTP server read those bytes. Together they show smuggling that either view alone could hide.
 */
export interface RecordingUpstream extends Upstream {
  /** What arrived on each upstream connection, in connection order, as latin1 text. */
  bytes(): string[];
  /** How many connections the proxy opened. */
  connections(): number;
}

export async function startRecordingUpstream(handler: UpstreamHandler = echo): Promise<RecordingUpstream> {
  const inner = await startUpstream(handler);
  // Read every header line, as a non-Node upstream would (Node's own default keeps only the first 1000).
  inner.server.maxHeadersCount = 0;
  const recorded: Buffer[][] = [];
  const sockets = new Set<net.Socket>();
  const tap = net.createServer((client) => {
    const chunks: Buffer[] = [];
    recorded.push(chunks);
    const server = net.connect(inner.port, '127.0.0.1');
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (c: Buffer) => {
      chunks.push(c);
      server.write(c);
    });
    server.pipe(client);
    client.on('end', () => server.end());
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => tap.listen(0, '127.0.0.1', resolve));
  const { port } = tap.address() as AddressInfo;
  return {
    ...inner,
    url: `http://127.0.0.1:${port}`,
    port,
    bytes: () => recorded.map((chunks) => Buffer.concat(chunks).toString('latin1')),
    connections: () => recorded.length,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => tap.close(resolve));
      await inner.close();
    },
  };
}
