import request from 'supertest';
import { scfPlatform } from '../../functions/scf/platform';
import { startOxy } from '../helpers/oxy';

describe('logs', () => {
  it('name the failure and the request id but never a key, a credential or the query string', async () => {
    const oxy = await startOxy({ OXY_TARGET: 'http://127.0.0.1:1' }, scfPlatform);
    try {
      const res = await request(oxy.url)
        .post('/v1beta/models/gemini:generateContent?key=query-secret')
        .set('Authorization', 'Bearer sk-live-secret')
        .set('X-Scf-Secret-Key', 'scf-secret')
        .set('X-Scf-Session-Token', 'scf-token')
        .set('X-Scf-Request-Id', 'req-42')
        .send({ contents: 'body-secret' });
      expect(res.status).toBe(502);
      expect(oxy.logs).toHaveLength(1);
      const line = oxy.logs[0]!;
      expect(JSON.parse(line)).toMatchObject({
        level: 'error',
        event: 'upstream_failed',
        id: 'req-42',
        method: 'POST',
        path: '/v1beta/models/gemini:generateContent',
        code: 'upstream_unreachable',
      });
      expect(line).not.toMatch(/secret|scf-token|body-secret/);
      expect(JSON.stringify(res.body)).not.toMatch(/secret|127\.0\.0\.1/);
    } finally {
      await oxy.close();
    }
  });
});
