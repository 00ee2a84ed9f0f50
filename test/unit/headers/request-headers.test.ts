import type { IncomingHttpHeaders } from 'node:http';
import { requestHeaderFilter } from '../../../core/headers/request-headers';

describe('requestHeaderFilter', () => {
  const filter = requestHeaderFilter(['x-scf']);
  const run = (h: IncomingHttpHeaders): IncomingHttpHeaders => filter(h);

  it('keeps end-to-end headers a client sends to the API', () => {
    const h = {
      authorization: 'Bearer sk-x',
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'openai-organization': 'org',
      'user-agent': 'OpenAI/JS 6',
    };
    expect(run({ ...h })).toEqual(h);
  });

  it('strips hop-by-hop headers (RFC 9110 §7.6.1) and those Connection names', () => {
    expect(
      run({
        connection: 'keep-alive, x-hop',
        'x-hop': '1',
        'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive',
        te: 'trailers',
        trailer: 'x',
        upgrade: 'websocket',
        'proxy-authorization': 'Basic x',
        expect: '100-continue',
        a: '1',
      }),
    ).toEqual({ a: '1' });
  });

  it('strips the platform prefix, whatever the case', () => {
    expect(
      run({ 'x-scf-secret-key': 'k', 'x-scf-session-token': 't', 'x-scf-request-id': 'r', a: '1' }),
    ).toEqual({
      a: '1',
    });
  });

  it('strips client-identity headers so the upstream never learns the caller', () => {
    expect(
      run({
        'x-forwarded-for': '1.2.3.4',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'h',
        forwarded: 'for=1.2.3.4',
        'x-real-ip': '1.2.3.4',
        a: '1',
      }),
    ).toEqual({ a: '1' });
  });

  it('never copies framing or Host: the upstream request gets them rebuilt, whatever Connection says', () => {
    expect(
      run({
        'content-length': '12',
        'transfer-encoding': 'chunked',
        host: 'fn.example',
        connection: 'x-a',
        a: '1',
      }),
    ).toEqual({ a: '1' });
  });
});
