import request from 'supertest';
import { startOxy } from '../helpers/oxy';
import { startUpstream } from '../helpers/upstream';

const SCF_CREDENTIALS = {
  'X-Scf-Secret-Id': 'AKIDscf',
  'X-Scf-Secret-Key': 'scf-secret-key',
  'X-Scf-Session-Token': 'scf-session-token',
  'X-Scf-Request-Id': 'r-1',
};

describe('request header stripping', () => {
  it('strips the configured prefixes, hop-by-hop and client-identity headers, and keeps the API ones', async () => {
    const upstream = await startUpstream();
    const oxy = await startOxy({ OXY_TARGET: upstream.url, OXY_HOP_HEADER_PREFIX: 'X-SCF, X-Custom' });
    try {
      const res = await request(oxy.url)
        .post('/v1/chat/completions')
        .set(SCF_CREDENTIALS)
        .set('X-Custom-Thing', '1')
        .set('Connection', 'keep-alive, X-Private')
        .set('X-Private', 'p')
        .set('X-Forwarded-For', '203.0.113.7')
        .set('X-Real-IP', '203.0.113.7')
        .set('Forwarded', 'for=203.0.113.7')
        .set('Authorization', 'Bearer sk-test')
        .set('OpenAI-Organization', 'org-1')
        .send({ model: 'm' });
      expect(res.status).toBe(200);
      const seen = upstream.seen[0]!.headers;
      for (const name of Object.keys(seen)) {
        expect(name).not.toMatch(/^(x-scf|x-custom|x-forwarded|forwarded|x-real-ip|x-private)/);
      }
      expect(seen.authorization).toBe('Bearer sk-test');
      expect(seen['openai-organization']).toBe('org-1');
      expect(seen['content-type']).toBe('application/json');
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });

  it("always strips a platform's credential prefix, even when the configured prefixes leave it out", async () => {
    const upstream = await startUpstream();
    const oxy = await startOxy(
      { OXY_TARGET: upstream.url, OXY_HOP_HEADER_PREFIX: '' },
      { name: 'scf', credentialHeaderPrefixes: ['x-scf-'] },
    );
    try {
      await request(oxy.url).get('/v1/models').set(SCF_CREDENTIALS);
      const raw = JSON.stringify(upstream.seen[0]!.headers);
      expect(raw).not.toMatch(/scf-secret-key|scf-session-token|AKIDscf/);
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });
});
