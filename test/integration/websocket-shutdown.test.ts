import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { startWithHost } from '../helpers/started-oxy';
import { deferred, within } from '../helpers/upstream';

// Issue 10: nothing is left open after SIGTERM's grace. A WebSocket session still running when the grace
// ends is closed on both sides with 1001, and the process exits 0.
describe('a WebSocket session at the end of the shutdown grace', () => {
  it('is closed on both sides with 1001, then the process exits 0', async () => {
    const plain = http.createServer();
    const wss = new WebSocketServer({ server: plain });
    const upstreamClosed = deferred<number>();
    wss.on('connection', (ws) => ws.on('close', (code) => upstreamClosed.resolve(code)));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
    const oxy = await startWithHost({ OXY_TARGET: target, OXY_SHUTDOWN_GRACE_MS: '300' });
    try {
      const ws = new WebSocket(`${oxy.url.replace('http', 'ws')}/v1/realtime`);
      await within(
        new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)),
        3000,
        'the session',
      );
      const clientClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      oxy.host.emit('SIGTERM');
      expect(await within(clientClosed, 3000, 'the client to be closed')).toBe(1001);
      expect(await within(upstreamClosed.promise, 3000, 'the upstream to be closed')).toBe(1001);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(oxy.host.exits).toEqual([0]);
    } finally {
      await oxy.close();
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(() => plain.close(() => resolve(undefined))));
    }
  });
});
