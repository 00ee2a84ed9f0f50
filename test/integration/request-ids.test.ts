import request from 'supertest';
import type { Platform } from '../../core/platform';
import { fcPlatform } from '../../functions/fc/platform';
import { scfPlatform } from '../../functions/scf/platform';
import { freePort } from '../helpers/bootstrap';
import { startOxy } from '../helpers/oxy';

// The platform's request id is what ties a log line to the platform's own record of the call; without one,
// oxy makes its own. Either way the client gets it back as x-oxy-request-id.
const CASES: { platform: Platform; header: string }[] = [
  { platform: scfPlatform, header: 'X-Scf-Request-Id' },
  { platform: fcPlatform, header: 'X-Fc-Request-Id' },
];

describe.each(CASES)('on $platform.name', ({ platform, header }) => {
  it(`logs a failure with the request id from ${header}`, async () => {
    const oxy = await startOxy({ OXY_TARGET: `http://127.0.0.1:${await freePort()}` }, platform);
    try {
      const given = await request(oxy.url).get('/v1/models').set(header, 'req-77');
      const made = await request(oxy.url).get('/v1/models');
      const ids = oxy.logs.map((l) => JSON.parse(l).id);
      expect(ids).toEqual(['req-77', expect.stringMatching(/^[0-9a-f-]{36}$/)]);
      expect([given.headers['x-oxy-request-id'], made.headers['x-oxy-request-id']]).toEqual(ids);
      expect(oxy.requests.map((r) => r.id)).toEqual(ids);
    } finally {
      await oxy.close();
    }
  });
});
