import { PLATFORM_MAJORS } from '../helpers/node-runtimes';
import { describePlatformContract } from './platform-contract';

// What FC gives a custom-runtime function: alibabacloud.com/help/zh/fc/user-guide/specification-details.
describePlatformContract(
  {
    platform: 'fc',
    majors: PLATFORM_MAJORS.fc,
    // No OXY_PORT: the FC build must take the port FC configures.
    env: (port) => ({
      FC_CUSTOM_LISTEN_PORT: String(port),
      FC_FUNCTION_NAME: 'oxy',
      FC_REGION: 'us-west-1',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'STS.envkeyid',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-access-key-secret',
      ALIBABA_CLOUD_SECURITY_TOKEN: 'env-security-token',
    }),
    headers: {
      'x-fc-request-id': 'fc-req-1',
      'x-fc-control-path': '/http-invoke',
      'x-fc-function-name': 'oxy',
      'x-fc-function-memory': '128',
      'x-fc-region': 'us-west-1',
      'x-fc-account-id': '1234567890',
      'x-fc-access-key-id': 'STS.headerkeyid',
      'x-fc-access-key-secret': 'header-access-key-secret',
      'x-fc-security-token': 'header-security-token',
      'x-fc-base-path': '/',
    },
    prefix: 'x-fc',
    secrets: [
      'STS.envkeyid',
      'env-access-key-secret',
      'env-security-token',
      'STS.headerkeyid',
      'header-access-key-secret',
      'header-security-token',
    ],
  },
  (ctx) => {
    it.each(['/initialize', '/pre-freeze', '/pre-stop'])(
      'answers the %s lifecycle call locally',
      async (path) => {
        const res = await fetch(`${ctx().oxy.url}${path}`, {
          method: 'POST',
          headers: { 'x-fc-control-path': path },
        });
        expect(res.status).toBe(200);
        expect(ctx().upstream.seen).toEqual([]);
      },
    );

    it('sends none of the response headers FC forbids', async () => {
      const res = await fetch(`${ctx().oxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...ctx().headers, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [] }),
      });
      expect(res.status).toBe(200);
      const names = [...res.headers.keys()];
      expect(names.filter((n) => n === 'date' || n === 'server' || n.startsWith('x-fc-'))).toEqual([]);
    });
  },
);
