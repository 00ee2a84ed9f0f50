import request from 'supertest';
import WebSocket from 'ws';
import { fcPlatform } from '../../functions/fc/platform';
import { scfPlatform } from '../../functions/scf/platform';
import { type RunningOxy, startOxy } from '../helpers/oxy';
import { type Upstream, startUpstream } from '../helpers/upstream';

// Issue 8, IP lists: the caller's address comes only from a source it cannot forge (the platform's header,
// else the socket), and a refused caller gets 403 in OpenAI's shape with nothing forwarded.
describe('IP allow and deny lists', () => {
  let upstream: Upstream;
  beforeEach(async () => {
    upstream = await startUpstream();
  });
  afterEach(() => upstream.close());

  const call = async (
    env: Record<string, string>,
    headers: Record<string, string> = {},
    platform = { name: 'test' },
  ) => {
    const oxy = await startOxy({ OXY_TARGET: upstream.url, ...env }, platform);
    try {
      return await request(oxy.url).get('/v1/models').set(headers);
    } finally {
      await oxy.close();
    }
  };

  it.each<[string, Record<string, string>, Record<string, string>, number]>([
    ['an allowed socket address', { OXY_IP_ALLOW: '127.0.0.0/8' }, {}, 200],
    ['a socket address outside the allow list', { OXY_IP_ALLOW: '10.0.0.0/8, 2001:db8::/32' }, {}, 403],
    ['a denied socket address', { OXY_IP_DENY: '127.0.0.1' }, {}, 403],
    ['deny over allow', { OXY_IP_ALLOW: '127.0.0.0/8', OXY_IP_DENY: '127.0.0.1/32' }, {}, 403],
    ['a forged X-Forwarded-For', { OXY_IP_ALLOW: '10.0.0.0/8' }, { 'x-forwarded-for': '10.1.2.3' }, 403],
    [
      'a forged X-Real-IP and Forwarded',
      { OXY_IP_ALLOW: '10.0.0.0/8' },
      { 'x-real-ip': '10.1.2.3', forwarded: 'for=10.1.2.3' },
      403,
    ],
    [
      'a header the operator chose to trust',
      { OXY_IP_ALLOW: '10.0.0.0/8', OXY_CLIENT_IP_HEADER: 'X-Real-IP' },
      { 'x-real-ip': '10.1.2.3' },
      200,
    ],
  ])('%s → %i', async (_name, env, headers, status) => {
    const res = await call(env, headers);
    expect(res.status).toBe(status);
    if (status === 403) {
      expect(res.body).toEqual({
        error: {
          message: 'Requests from this address are not allowed.',
          type: 'permission_error',
          code: 'ip_not_allowed',
        },
      });
      expect(upstream.seen).toEqual([]);
    }
  });

  it.each<[string, string, string, number]>([
    ['an allowed IPv4 caller', '203.0.113.0/24', '203.0.113.7', 200],
    ['an IPv4-mapped IPv6 caller, as IPv4', '203.0.113.0/24', '::ffff:203.0.113.7', 200],
    ['an IPv6 caller in range', '2001:db8::/32', '2001:db8:1::5', 200],
    ['an IPv6 caller out of range', '2001:db8::/32', '2001:dead::5', 403],
    ['a caller outside the list, whatever X-Forwarded-For says', '203.0.113.0/24', '198.51.100.1', 403],
  ])('on SCF, reads the caller from x-scf-remote-addr: %s → %i', async (_name, allow, caller, status) => {
    const res = await call(
      { OXY_IP_ALLOW: allow },
      { 'x-scf-remote-addr': caller, 'x-forwarded-for': '203.0.113.7, 2001:db8::1' },
      scfPlatform,
    );
    expect(res.status).toBe(status);
    // The platform's header never reaches the upstream either way.
    for (const s of upstream.seen) expect(s.headers['x-scf-remote-addr']).toBeUndefined();
  });

  // FC's default: x-fc-client-ip, which clients cannot send (FC refuses x-fc-* from callers, PLATFORMS.md).
  it.each<[string, string, number]>([
    ['an allowed caller', '203.0.113.7', 200],
    ['a caller outside the list, whatever X-Forwarded-For says', '198.51.100.1', 403],
  ])('on FC, reads the caller from x-fc-client-ip: %s → %i', async (_name, caller, status) => {
    const res = await call(
      { OXY_IP_ALLOW: '203.0.113.0/24' },
      { 'x-fc-client-ip': caller, 'x-forwarded-for': '203.0.113.7' },
      fcPlatform,
    );
    expect(res.status).toBe(status);
    for (const s of upstream.seen) expect(s.headers['x-fc-client-ip']).toBeUndefined();
  });

  // Guards the client_ip_header_missing warning: neither platform documents its client-address header for web
  // functions, and without it every caller looks like the platform's frontend (a deny list then matches
  // none). The first such request must show in the logs, once, naming the header and the peer used instead.
  const headerWarnings = (oxy: RunningOxy): Record<string, unknown>[] =>
    oxy.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.event === 'client_ip_header_missing');

  it('warns once when the trusted header holds no address, and not when it does', async () => {
    const oxy = await startOxy({ OXY_TARGET: upstream.url, OXY_IP_DENY: '198.51.100.0/24' }, scfPlatform);
    try {
      const caller = { 'x-scf-remote-addr': '203.0.113.7' };
      expect((await request(oxy.url).get('/v1/models').set(caller)).status).toBe(200);
      expect(headerWarnings(oxy)).toEqual([]);
      for (const headers of [{}, { 'x-scf-remote-addr': 'not an address' }, {}]) {
        expect((await request(oxy.url).get('/v1/models').set(headers)).status).toBe(200);
      }
      expect(headerWarnings(oxy)).toEqual([
        {
          level: 'warn',
          event: 'client_ip_header_missing',
          header: 'x-scf-remote-addr',
          peer: expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/),
          message: expect.stringContaining('IP allow and deny lists'),
        },
      ]);
    } finally {
      await oxy.close();
    }
  });

  it('warns once more at the first WebSocket upgrade without the header (its own step list)', async () => {
    const oxy = await startOxy({ OXY_TARGET: upstream.url, OXY_IP_DENY: '198.51.100.0/24' }, scfPlatform);
    try {
      expect((await request(oxy.url).get('/v1/models')).status).toBe(200);
      for (let i = 0; i < 2; i++) {
        // The test upstream speaks no WebSocket: whatever the upgrade ends in, the IP step has run.
        const socket = new WebSocket(`${oxy.url.replace('http:', 'ws:')}/v1/realtime`);
        await new Promise<void>((resolve) => {
          socket.once('unexpected-response', () => resolve());
          socket.once('error', () => resolve());
          socket.once('open', () => resolve());
        });
        socket.terminate();
      }
      expect(headerWarnings(oxy).map((w) => w.header)).toEqual(['x-scf-remote-addr', 'x-scf-remote-addr']);
    } finally {
      await oxy.close();
    }
  });

  it('does not warn when no list is set or no header is trusted', async () => {
    for (const [env, platform] of [
      [{}, scfPlatform],
      [{ OXY_IP_DENY: '198.51.100.0/24' }, { name: 'test' }],
    ] as const) {
      const oxy = await startOxy({ OXY_TARGET: upstream.url, ...env }, platform);
      try {
        expect((await request(oxy.url).get('/v1/models')).status).toBe(200);
        expect(oxy.logs.filter((l) => l.includes('client_ip_header_missing'))).toEqual([]);
      } finally {
        await oxy.close();
      }
    }
  });
});
