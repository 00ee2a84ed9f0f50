import { startOxy } from '../helpers/oxy';
import { RawClient } from '../helpers/raw-client';
import { deferred, startUpstream, within } from '../helpers/upstream';

// Issue 6 item 6: an answer cut off by an upstream failure must end with a TCP reset, never a FIN: an
// HTTP/1.0 client reads a body without length until the connection ends, and would take a FIN for the end.
describe('an answer cut off mid-body', () => {
  it.each([
    ['an HTTP/1.0 client (body delimited by the end of the connection)', '1.0'],
    ['an HTTP/1.1 client (chunked body)', '1.1'],
  ])('reaches %s as a connection reset', async (_name, version) => {
    const upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":', () => setTimeout(() => res.socket?.destroy(), 50));
    });
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    const client = await RawClient.connect(oxy.url);
    try {
      client.write(`GET /v1/models HTTP/${version}\r\nHost: oxy\r\n\r\n`);
      const answer = await client.answer(3000);
      expect(answer.status).toBe(200);
      expect(answer.ending).toBe('reset');
    } finally {
      client.destroy();
      await oxy.close();
      await upstream.close();
    }
  });

  it('resets the client when the upstream goes silent mid-body past the timeout', async () => {
    const upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part');
    });
    const oxy = await startOxy({ OXY_TARGET: upstream.url, OXY_UPSTREAM_TIMEOUT_MS: '300' });
    const client = await RawClient.connect(oxy.url);
    try {
      client.write('GET /v1/models HTTP/1.0\r\nHost: oxy\r\n\r\n');
      expect((await client.answer(3000)).ending).toBe('reset');
    } finally {
      client.destroy();
      await oxy.close();
      await upstream.close();
    }
  });
});

// Issue 6 item 7: bytes Node cannot parse, pipelined behind a request whose answer is still streaming,
// must not get a 400 written into that answer; the connection is closed instead.
describe('unparsable bytes behind an answer in progress', () => {
  it('closes the connection without writing a 400 into the stream', async () => {
    const streaming = deferred();
    const upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"i":0}\n\n', () => streaming.resolve());
    });
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    const client = await RawClient.connect(oxy.url);
    let wire = '';
    client.socket.on('data', (c: Buffer) => (wire += c.toString('latin1')));
    try {
      client.write('POST /v1/chat/completions HTTP/1.1\r\nHost: oxy\r\nContent-Length: 2\r\n\r\n{}');
      await within(streaming.promise, 2000, 'the stream to start');
      await new Promise((resolve) => setTimeout(resolve, 50));
      client.write('NOT HTTP AT ALL\r\n\r\n');
      expect(await client.closed(3000)).not.toBe('timeout');
      expect(wire).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(wire).toContain('data: {"i":0}');
      expect(wire).not.toContain('HTTP/1.1 400');
      expect(wire).not.toContain('malformed_request');
    } finally {
      client.destroy();
      await oxy.close();
      await upstream.close();
    }
  });

  it('still answers 400 on a connection with no answer in progress', async () => {
    const upstream = await startUpstream();
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    const client = await RawClient.connect(oxy.url);
    try {
      client.write('GET /v1/models HTTP/1.1\r\nHost: oxy\r\n\r\n');
      expect((await client.answer(3000)).status).toBe(200);
      client.write('NOT HTTP AT ALL\r\n\r\n');
      const answer = await client.answer(3000);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).error.code).toBe('malformed_request');
    } finally {
      client.destroy();
      await oxy.close();
      await upstream.close();
    }
  });
});
