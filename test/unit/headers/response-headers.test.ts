import { isEventStream, responseHeaderFilter } from '../../../core/headers/response-headers';

describe('isEventStream', () => {
  it.each([
    ['text/event-stream', true],
    ['text/event-stream; charset=utf-8', true],
    ['TEXT/EVENT-STREAM', true],
    ['application/json', false],
    [undefined, false],
  ])('%s → %s', (type, expected) => expect(isEventStream({ 'content-type': type })).toBe(expected));
});

describe('responseHeaderFilter', () => {
  it('passes end-to-end headers unchanged, multi-valued ones included', () => {
    const upstream = {
      'content-type': 'application/json',
      'content-length': '10',
      'x-request-id': 'req_1',
      'openai-processing-ms': '12',
      'x-ratelimit-remaining-requests': '99',
      'set-cookie': ['a=1', 'b=2'],
      date: 'Sun, 22 Nov 2026 00:00:00 GMT',
    };
    expect(responseHeaderFilter()(upstream)).toEqual(upstream);
  });

  it('drops hop-by-hop headers, the framing and those Connection names', () => {
    expect(
      responseHeaderFilter()({
        connection: 'keep-alive, x-hop',
        'x-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        a: '1',
      }),
    ).toEqual({ a: '1' });
  });

  it("drops the platform's forbidden headers", () => {
    const filter = responseHeaderFilter({ names: ['date', 'server'], prefixes: ['x-fc-'] });
    expect(filter({ date: 'd', server: 'cloudflare', 'x-fc-request-id': '1', 'x-fcx': 'k', a: '1' })).toEqual(
      {
        'x-fcx': 'k',
        a: '1',
      },
    );
  });

  it('marks an event stream as not cacheable nor bufferable, with no length', () => {
    expect(
      responseHeaderFilter()({
        'content-type': 'text/event-stream',
        'content-length': '5',
        'cache-control': 'max-age=5',
      }),
    ).toEqual({
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
  });
});
