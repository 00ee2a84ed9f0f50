import net from 'node:net';

/** Sends raw bytes to host:port and resolves with everything the server wrote until it closed or `ms` passed. */
export function rawRequest(url: string, payload: string, ms = 2000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(payload));
    const chunks: Buffer[] = [];
    const done = (): void => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString());
    };
    socket.setTimeout(ms, done);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', done);
    socket.on('error', reject);
  });
}
