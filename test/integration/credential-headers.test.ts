import request from 'supertest';
import { loadConfig } from '../../core/config';
import type { Platform } from '../../core/platform';
import { fcPlatform } from '../../functions/fc/platform';
import { scfPlatform } from '../../functions/scf/platform';
import { startOxy } from '../helpers/oxy';
import { type Upstream, startUpstream } from '../helpers/upstream';

// Two rules keep platform headers from the upstream: the platform's credential prefixes (always) and the
// configured hop prefix (OXY_HOP_HEADER_PREFIX, defaulting to the platform's). Each is tested here with the
// other out of the way, through the real platform objects, so emptying either one fails a test.
const CASES: { platform: Platform; credentials: Record<string, string>; other: Record<string, string> }[] = [
  {
    platform: scfPlatform,
    credentials: {
      'X-Scf-Secret-Id': 'AKIDscf-secret-id',
      'X-Scf-Secret-Key': 'scf-secret-key',
      'X-Scf-Session-Token': 'scf-session-token',
    },
    other: { 'X-Scf-Request-Id': 'scf-req-1', 'X-Scf-Region': 'ap-guangzhou' },
  },
  {
    platform: fcPlatform,
    credentials: {
      'X-Fc-Access-Key-Id': 'STS.fc-key-id',
      'X-Fc-Access-Key-Secret': 'fc-access-key-secret',
      'X-Fc-Security-Token': 'fc-security-token',
    },
    other: { 'X-Fc-Request-Id': 'fc-req-1', 'X-Fc-Region': 'cn-hangzhou' },
  },
];

describe.each(CASES)('$platform.name platform headers', ({ platform, credentials, other }) => {
  let upstream: Upstream;
  beforeEach(async () => {
    upstream = await startUpstream();
  });
  afterEach(() => upstream.close());

  /** The headers the upstream got for one request through oxy configured by `env` on `p`. */
  async function forwarded(
    env: Record<string, string>,
    p: Platform = platform,
  ): Promise<Record<string, unknown>> {
    const oxy = await startOxy({ OXY_TARGET: upstream.url, ...env }, p);
    try {
      const res = await request(oxy.url)
        .post('/v1/chat/completions')
        .set({ ...credentials, ...other, 'X-Custom-Thing': 'custom', Authorization: 'Bearer sk-client' })
        .send({ model: 'm' });
      expect(res.status).toBe(200);
      return upstream.seen.at(-1)!.headers;
    } finally {
      await oxy.close();
    }
  }
  const names = (headers: Record<string, unknown>, prefix: string): string[] =>
    Object.keys(headers).filter((h) => h.startsWith(prefix));
  const prefix = `x-${platform.name}-`;

  it.each([
    ['another prefix', 'X-Custom'],
    ['empty', ''],
  ])('strips the credential headers whatever OXY_HOP_HEADER_PREFIX says (%s)', async (_, value) => {
    const seen = await forwarded({ OXY_HOP_HEADER_PREFIX: value });
    const sent = JSON.stringify(seen);
    for (const [name, secret] of Object.entries(credentials)) {
      expect(seen[name.toLowerCase()]).toBeUndefined();
      expect(sent).not.toContain(secret);
    }
    expect(seen.authorization).toBe('Bearer sk-client');
  });

  it('strips every platform header by default, the client key kept', async () => {
    const seen = await forwarded({});
    expect(names(seen, prefix)).toEqual([]);
    expect(seen.authorization).toBe('Bearer sk-client');
    expect(seen['x-custom-thing']).toBe('custom');
  });

  it('strips the configured prefix on its own (credential prefixes emptied)', async () => {
    const alone = { ...platform, credentialHeaderPrefixes: [] };
    const seen = await forwarded({ OXY_HOP_HEADER_PREFIX: 'X-Custom' }, alone);
    expect(seen['x-custom-thing']).toBeUndefined();
    // The control: with neither rule covering them, the platform headers do arrive.
    expect(names(seen, prefix).length).toBeGreaterThan(0);
    expect(seen.authorization).toBe('Bearer sk-client');
  });

  it('strips the platform headers by its default hop prefix alone (credential prefixes emptied)', async () => {
    expect(loadConfig({}, platform.config).hopHeaderPrefixes).toEqual([`x-${platform.name}`]);
    const seen = await forwarded({}, { ...platform, credentialHeaderPrefixes: [] });
    expect(names(seen, prefix)).toEqual([]);
    expect(seen['x-custom-thing']).toBe('custom');
  });
});
