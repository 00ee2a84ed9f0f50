import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { ipAccess } from '../../../core/access/ip-access';
import { parseIpList } from '../../../core/access/ip-list';
import { serveStep, type StepServer } from './serve-step';

const REFUSAL_BODY = JSON.stringify({
  error: {
    message: 'Requests from this address are not allowed.',
    type: 'permission_error',
    code: 'ip_not_allowed',
  },
});

interface Case {
  what: string;
  allow?: string;
  deny?: string;
  clientIpHeader?: string;
  headers: OutgoingHttpHeaders;
  passes: boolean;
}

// The test client connects from 127.0.0.1; `x-scf-remote-addr` stands for the header the platform sets.
const cases: Case[] = [
  // Deny and allow by the trusted header.
  {
    what: 'a denied address is refused',
    deny: '203.0.113.0/24',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': '203.0.113.7' },
    passes: false,
  },
  {
    what: 'an address not denied passes',
    deny: '203.0.113.0/24',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': '198.51.100.7' },
    passes: true,
  },
  {
    what: 'an allowed address passes',
    allow: '198.51.100.0/24',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': '198.51.100.7' },
    passes: true,
  },
  {
    what: 'an address not on the allow list is refused',
    allow: '198.51.100.0/24',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': '203.0.113.7' },
    passes: false,
  },
  {
    what: 'deny wins over allow',
    allow: '203.0.113.0/24',
    deny: '203.0.113.7',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': '203.0.113.7' },
    passes: false,
  },
  {
    what: 'the rest of an allowed range passes beside a denied address',
    allow: '203.0.113.0/24',
    deny: '203.0.113.7',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': '203.0.113.8' },
    passes: true,
  },
  {
    what: 'IPv6 callers are matched by IPv6 ranges',
    deny: '2001:db8::/32',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': '2001:db8::7' },
    passes: false,
  },
  {
    what: 'an IPv4-mapped caller is denied by its IPv4 entry',
    deny: '203.0.113.7',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': '::ffff:203.0.113.7' },
    passes: false,
  },
  {
    what: 'an IPv4-mapped caller is allowed by its IPv4 range',
    allow: '203.0.113.0/24',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': '::FFFF:cb00:7107' },
    passes: true,
  },
  {
    what: 'the header name may be given in any case',
    deny: '203.0.113.7',
    clientIpHeader: 'X-Scf-Remote-Addr',
    headers: { 'x-scf-remote-addr': '203.0.113.7' },
    passes: false,
  },

  // Forged headers never decide.
  {
    what: 'a forged X-Forwarded-For never gets a denied caller through',
    deny: '203.0.113.7',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': '203.0.113.7', 'x-forwarded-for': '198.51.100.7' },
    passes: false,
  },
  {
    what: 'a forged X-Forwarded-For never puts a caller on the allow list',
    allow: '198.51.100.0/24',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': '203.0.113.7', 'x-forwarded-for': '198.51.100.7' },
    passes: false,
  },
  {
    what: 'a forged X-Real-IP never puts a caller on the allow list',
    allow: '198.51.100.0/24',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': '203.0.113.7', 'x-real-ip': '198.51.100.7' },
    passes: false,
  },
  {
    what: 'a forged Forwarded never puts a caller on the allow list',
    allow: '198.51.100.0/24',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': '203.0.113.7', forwarded: 'for=198.51.100.7' },
    passes: false,
  },
  {
    what: 'a forged X-Forwarded-For never denies an innocent caller',
    deny: '198.51.100.0/24',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': '203.0.113.7', 'x-forwarded-for': '198.51.100.7' },
    passes: true,
  },
  {
    what: "a client line sent before the platform's never wins",
    allow: '198.51.100.0/24',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': ['198.51.100.7', '203.0.113.7'] },
    passes: false,
  },

  // Without a trusted header, the socket decides.
  {
    what: 'the socket address decides without a trusted header',
    deny: '127.0.0.1',
    headers: {},
    passes: false,
  },
  {
    what: 'a forged X-Forwarded-For never decides without a trusted header',
    deny: '127.0.0.1',
    headers: { 'x-forwarded-for': '198.51.100.7' },
    passes: false,
  },
  {
    what: 'a forged X-Forwarded-For never gets on the allow list without a trusted header',
    allow: '198.51.100.0/24',
    headers: { 'x-forwarded-for': '198.51.100.7', 'x-real-ip': '198.51.100.7' },
    passes: false,
  },
  {
    what: 'the socket address passes an allow list that holds it',
    allow: '127.0.0.0/8',
    headers: { 'x-forwarded-for': '203.0.113.7' },
    passes: true,
  },
  {
    what: 'a trusted header that is absent falls back to the socket',
    allow: '127.0.0.1',
    clientIpHeader: 'x-scf-remote-addr',
    headers: {},
    passes: true,
  },
  {
    what: 'a trusted header that holds no address falls back to the socket',
    deny: '127.0.0.1',
    clientIpHeader: 'x-scf-remote-addr',
    headers: { 'x-scf-remote-addr': 'unknown' },
    passes: false,
  },

  // No lists: nothing is checked.
  {
    what: 'with no lists every caller passes',
    headers: { 'x-scf-remote-addr': '203.0.113.7' },
    passes: true,
  },
  {
    what: 'lists without entries are no lists (an empty setting is unset)',
    allow: ' , ',
    deny: '',
    clientIpHeader: 'x-scf-remote-addr',
    headers: {},
    passes: true,
  },
];

function step(c: Pick<Case, 'allow' | 'deny' | 'clientIpHeader'>): ReturnType<typeof ipAccess> {
  return ipAccess({
    allow: c.allow === undefined ? undefined : parseIpList(c.allow),
    deny: c.deny === undefined ? undefined : parseIpList(c.deny),
    clientIpHeader: c.clientIpHeader,
  });
}

// Guards issue 8, "IP allow and deny lists": denied callers get 403 in OpenAI's shape and nothing is
// forwarded; the address comes only from the trusted header or the socket.
describe('ipAccess', () => {
  it.each(cases)('$what', async (c) => {
    const server = await serveStep(step(c));
    try {
      const answer = await server.request(
        'POST',
        { 'content-type': 'application/json', ...c.headers },
        '{"model":"x"}',
      );
      if (c.passes) {
        expect([answer.status, answer.body, server.passed()]).toEqual([200, '{"passed":true}', 1]);
      } else {
        expectRefusal(answer, server);
      }
    } finally {
      await server.close();
    }
  });

  it('refuses a caller whose address is unknown when a list is set (fails closed)', async () => {
    const noPeer = (req: IncomingMessage): void => {
      Object.defineProperty(req.socket, 'remoteAddress', { value: undefined, configurable: true });
    };
    for (const list of [{ deny: '203.0.113.7' }, { allow: '0.0.0.0/0, ::/0' }]) {
      const server = await serveStep(step(list), undefined, noPeer);
      try {
        expectRefusal(await server.request('GET'), server);
      } finally {
        await server.close();
      }
    }
  });

  it('never names the address in the refusal, whatever the caller sent', async () => {
    const server = await serveStep(step({ deny: '2001:db8::/32', clientIpHeader: 'x-scf-remote-addr' }));
    try {
      const answer = await server.request('GET', { 'x-scf-remote-addr': '2001:db8::beef' });
      expectRefusal(answer, server);
      expect(JSON.stringify(answer)).not.toMatch(/2001|beef|127\.0\.0\.1/);
    } finally {
      await server.close();
    }
  });

  it('with no lists, is a step that answers nothing and reads nothing', () => {
    const noop = ipAccess({ clientIpHeader: 'x-scf-remote-addr' });
    const untouchable = new Proxy(
      {},
      {
        get: () => {
          throw new Error('read');
        },
      },
    );
    expect(noop(untouchable as never, untouchable as never, { id: 't', start: 0 })).toBe(false);
  });
});

function expectRefusal(answer: Awaited<ReturnType<StepServer['request']>>, server: StepServer): void {
  expect(answer.status).toBe(403);
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(REFUSAL_BODY)));
  expect(answer.body).toBe(REFUSAL_BODY);
  expect(server.passed()).toBe(0);
}
