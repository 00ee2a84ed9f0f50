import net from 'node:net';
import request from 'supertest';
import { type RunningOxy, startOxy } from '../helpers/oxy';
import { rawRequest } from '../helpers/raw-http';
import { type Upstream, startUpstream, within } from '../helpers/upstream';

/** The JSON body after the head of a raw answer. */
const bodyOf = (answer: string): unknown => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

describe('requests Node cannot parse', () => {
  let upstream: Upstream;
  let oxy: RunningOxy;
  beforeAll(async () => {
    upstream = await startUpstream();
    oxy = await startOxy({ OXY_TARGET: upstream.url });
  });
  afterAll(async () => {
    await oxy.close();
    await upstream.close();
  });

  it('get 431 headers_too_large in OpenAI shape when the headers pass 16 KiB', async () => {
    const answer = await rawRequest(
      oxy.url,
      `GET /v1/models HTTP/1.1\r\nHost: oxy\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(answer).toContain('\r\nConnection: close\r\n');
    expect(answer).toContain('\r\nContent-Type: application/json; charset=utf-8\r\n');
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    expect(answer).toContain(`\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`);
    expect(bodyOf(answer)).toEqual({
      error: {
        message: 'The request headers are too large.',
        type: 'invalid_request_error',
        code: 'headers_too_large',
      },
    });
    expect(upstream.seen).toEqual([]);
  });

  it('get 400 malformed_request when the client half-closes in the middle of its headers', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const { port } = new URL(oxy.url);
      const socket = net.connect(Number(port), '127.0.0.1', () =>
        socket.end('GET /v1/models HTTP/1.1\r\nHost: oxy\r\n'),
      );
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (c: string) => (text += c));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(bodyOf(answer)).toMatchObject({ error: { code: 'malformed_request' } });
  });

  it('a client that resets in the middle of its headers is dropped, and the server goes on serving', async () => {
    const socket = net.connect(Number(new URL(oxy.url).port), '127.0.0.1');
    await within(new Promise((resolve) => socket.once('connect', resolve)), 2000, 'the connection');
    await new Promise((resolve) => socket.write('GET /v1/models HTTP/1.1\r\nHost: ox', resolve));
    socket.resetAndDestroy();
    const res = await request(oxy.url).get('/v1/models');
    expect(res.status).toBe(200);
    expect(upstream.seen.map((s) => s.url)).toEqual(['/v1/models']);
  });
});
