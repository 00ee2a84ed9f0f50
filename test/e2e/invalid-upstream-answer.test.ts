import net, { type AddressInfo } from 'node:net';
import { type StartedZip, startZip, zipRuntimes } from './zip-runtimes';

// Node 16 to 20.10 accept a response header with an empty name, which their own server refuses to write.
// It must never take the process down (an uncaught exception would end every stream in flight). Since oxy
// sets its own headers before writeHead, Node merges the upstream's one by one and skips the empty name;
// before, writeHead threw and the client got a 502. Either answer is sound; a crash is not.
describe.each(zipRuntimes())('the $platform zip on $label', (rt) => {
  let upstream: net.Server;
  let oxy: StartedZip;
  beforeAll(async () => {
    upstream = net.createServer((socket) =>
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\n: empty-name\r\nContent-Length: 2\r\n\r\nok')),
    );
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    oxy = await startZip(rt, { OXY_TARGET: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
  });
  afterAll(async () => {
    await oxy?.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('survives an upstream header name Node refuses to write, and keeps serving', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${oxy.url}/v1/models`);
      const text = await res.text();
      if (res.status === 200) {
        expect(text).toBe('ok');
      } else {
        expect(res.status).toBe(502);
        expect((JSON.parse(text) as { error: { type: string } }).error.type).toBe('proxy_error');
      }
    }
    expect(oxy.child.exitCode).toBeNull();
  });
});
