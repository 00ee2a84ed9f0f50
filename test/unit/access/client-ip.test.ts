import { IncomingMessage, type IncomingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';
import { clientIpOf } from '../../../core/access/client-ip';
import { serveStep } from './serve-step';

/** A real IncomingMessage with these headers, on a socket whose peer is `peer.address`. */
function request(
  headers: IncomingHttpHeaders,
  peer: { address?: string } = { address: '192.0.2.1' },
): IncomingMessage {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: peer.address });
  const req = new IncomingMessage(socket);
  req.headers = headers;
  return req;
}

const TRUSTED = 'x-scf-remote-addr';

// Guards issue 8: the client address comes only from the header the platform sets (or the operator
// names), else the socket; nothing a client adds on its own decides it.
describe('clientIpOf', () => {
  it.each<[string, IncomingHttpHeaders, string | undefined]>([
    ['the trusted header decides', { [TRUSTED]: '203.0.113.7' }, '203.0.113.7'],
    ['an IPv6 address', { [TRUSTED]: '2001:db8::7' }, '2001:db8::7'],
    ['an IPv4-mapped address, kept as given', { [TRUSTED]: '::ffff:203.0.113.7' }, '::ffff:203.0.113.7'],
    ['whitespace around it is trimmed', { [TRUSTED]: '  203.0.113.7\t' }, '203.0.113.7'],
    ['an IPv4 port is stripped', { [TRUSTED]: '203.0.113.7:5678' }, '203.0.113.7'],
    ['a bracketed IPv6 with port is unbracketed', { [TRUSTED]: '[2001:db8::7]:443' }, '2001:db8::7'],
    ['a bracketed IPv6 is unbracketed', { [TRUSTED]: '[2001:db8::7]' }, '2001:db8::7'],
    [
      'of several values, the last (a proxy that appends puts its own last)',
      { [TRUSTED]: '198.51.100.9, 203.0.113.7' },
      '203.0.113.7',
    ],
    [
      'repeated lines as an array: the last',
      { [TRUSTED]: ['198.51.100.9', '203.0.113.7'] as never },
      '203.0.113.7',
    ],
    ['an empty value falls back to the socket', { [TRUSTED]: '' }, '192.0.2.1'],
    ['a value that is no IP falls back to the socket', { [TRUSTED]: 'unknown' }, '192.0.2.1'],
    ['a host name falls back to the socket', { [TRUSTED]: 'attacker.example' }, '192.0.2.1'],
    ['a last entry that is no IP falls back to the socket', { [TRUSTED]: '203.0.113.7, junk' }, '192.0.2.1'],
    ['a trailing comma falls back to the socket', { [TRUSTED]: '203.0.113.7,' }, '192.0.2.1'],
    ['a port out of shape is not stripped', { [TRUSTED]: '203.0.113.7:123456' }, '192.0.2.1'],
    ['a bracketed IPv4 is no address', { [TRUSTED]: '[203.0.113.7]:80' }, '192.0.2.1'],
    ['an unclosed bracket is no address', { [TRUSTED]: '[2001:db8::7' }, '192.0.2.1'],
    ['junk after the bracket is no address', { [TRUSTED]: '[2001:db8::7]x' }, '192.0.2.1'],
    ['an unbracketed IPv6 is never cut at a colon', { [TRUSTED]: '2001:db8::7:443' }, '2001:db8::7:443'],
    ['a missing trusted header falls back to the socket', {}, '192.0.2.1'],
  ])('%s', (_what, headers, expected) => {
    expect(clientIpOf(request(headers), TRUSTED)).toBe(expected);
  });

  it.each(['x-forwarded-for', 'x-real-ip', 'forwarded', 'x-fc-client-ip', TRUSTED])(
    'a forged %s never decides the address when no header is trusted',
    (name) => {
      expect(clientIpOf(request({ [name]: '203.0.113.7' }), undefined)).toBe('192.0.2.1');
    },
  );

  it('a forged X-Forwarded-For, X-Real-IP or Forwarded never decides the address beside a trusted header', () => {
    const forged = { 'x-forwarded-for': '10.0.0.1', 'x-real-ip': '10.0.0.2', forwarded: 'for=10.0.0.3' };
    expect(clientIpOf(request({ ...forged, [TRUSTED]: '203.0.113.7' }), TRUSTED)).toBe('203.0.113.7');
    expect(clientIpOf(request(forged), TRUSTED)).toBe('192.0.2.1');
  });

  it('X-Forwarded-For is read when it is the header the operator names', () => {
    expect(clientIpOf(request({ 'x-forwarded-for': '10.0.0.1, 203.0.113.7' }), 'x-forwarded-for')).toBe(
      '203.0.113.7',
    );
  });

  it('is undefined when neither the header nor the socket knows the address', () => {
    expect(clientIpOf(request({}, {}), TRUSTED)).toBeUndefined();
    expect(clientIpOf(request({}, {}), undefined)).toBeUndefined();
    expect(clientIpOf(request({ [TRUSTED]: 'junk' }, { address: '' }), TRUSTED)).toBeUndefined();
  });

  it('reads the socket peer of a real connection, and repeated header lines as Node joins them', async () => {
    let seen: (string | undefined)[] = [];
    const server = await serveStep((req) => {
      seen = [clientIpOf(req, undefined), clientIpOf(req, TRUSTED)];
      return false;
    });
    try {
      await server.request('GET', { 'x-forwarded-for': '203.0.113.7' });
      expect(seen).toEqual(['127.0.0.1', '127.0.0.1']);
      // Node joins repeated lines of an x- header with ", ", so a client line sent before the
      // platform's never wins.
      await server.request('GET', { [TRUSTED]: ['198.51.100.9', '203.0.113.7'] });
      expect(seen).toEqual(['127.0.0.1', '203.0.113.7']);
    } finally {
      await server.close();
    }
  });
});
