import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { engineTarget } from '../../../core/upstream/engine-target';

// Guards the target http-proxy connects to, parsed once at start instead of per request.
describe('engineTarget', () => {
  it.each([
    [
      'https://api.openai.com',
      { protocol: 'https:', host: 'api.openai.com', hostname: 'api.openai.com', port: '', path: '/' },
    ],
    [
      'http://127.0.0.1:8080/base',
      { protocol: 'http:', host: '127.0.0.1:8080', hostname: '127.0.0.1', port: '8080', path: '/base' },
    ],
    [
      'http://[::1]:9000/',
      { protocol: 'http:', host: '[::1]:9000', hostname: '::1', port: '9000', path: '/' },
    ],
    [
      'https://例え.jp',
      { protocol: 'https:', host: 'xn--r8jz45g.jp', hostname: 'xn--r8jz45g.jp', port: '', path: '/' },
    ],
  ])('%s', (url, expected) => {
    expect(engineTarget(new URL(url))).toEqual(expected);
  });

  it('names an IPv6 upstream in a form http.request connects to', async () => {
    const server = http.createServer((_, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    const { port } = server.address() as AddressInfo;
    const { hostname } = engineTarget(new URL(`http://[::1]:${port}`));
    const body = await new Promise<string>((resolve, reject) => {
      http.get({ hostname, port }, (res) => res.setEncoding('utf8').on('data', resolve)).on('error', reject);
    });
    server.close();
    expect(body).toBe('ok');
  });
});
