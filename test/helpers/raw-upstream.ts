import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RawUpstream {
  url: string;
  /** The raw bytes of each request head received, in order. */
  heads: string[];
  close(): Promise<void>;
}

/**
 * An upstream that answers in raw bytes: `answer` runs once per request head received and writes what it
 * likes on the socket, including what no HTTP library would send (a 101 nobody asked for, a cut body).
 */
export async function startRawUpstream(answer: (socket: net.Socket) => void): Promise<RawUpstream> {
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = '';
    socket.on('data', (c: Buffer) => {
      pending += c.toString('latin1');
      const end = pending.indexOf('\r\n\r\n');
      if (end === -1) return;
      heads.push(pending.slice(0, end));
      pending = '';
      answer(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    heads,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
