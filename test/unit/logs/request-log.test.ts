import fc from 'fast-check';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { nowMs } from '../../../core/clock';
import { type Logger, OWN_JSON, logLine } from '../../../core/logger';
import { JsonText } from '../../../core/logs/json-text';
import { logRequest, loggedPath, redactedPath } from '../../../core/logs/request-log';
import type { Route } from '../../../core/routing/route';
import type { Exchange } from '../../../core/step';
import type { PoolKey } from '../../../core/upstream/key-pool';

const text = fc.string({ unit: 'binary', maxLength: 30 });
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });
const count = fc.nat({ max: 1e9 });

const exchange = fc.record({
  id: text,
  method: maybe(fc.constantFrom('GET', 'POST', 'DELETE')),
  url: text,
  route: maybe(text),
  status: fc.integer({ min: 100, max: 599 }),
  headersSent: fc.boolean(),
  complete: fc.boolean(),
  bytesIn: maybe(count),
  clientIp: maybe(text),
  proxyKey: maybe(text),
  poolKey: maybe(text),
  upstream: maybe(
    fc.record({
      status: fc.integer({ min: 100, max: 599 }),
      headersMs: fc.double({ min: 0, max: 1e7, noNaN: true }),
      requestId: maybe(text),
      stream: fc.boolean(),
      bytesOut: count,
      usage: maybe(fc.jsonValue().map((v) => new JsonText(JSON.stringify(v)))),
    }),
  ),
});

/** The fields logRequest hands the logger for these request, answer and exchange. */
function fieldsOf(x: typeof exchange extends fc.Arbitrary<infer T> ? T : never): Record<string, unknown> {
  let fields: Record<string, unknown> = {};
  const log: Logger = (_level, _event, f) => void (fields = f ?? {});
  const req = { method: x.method, url: x.url } as IncomingMessage;
  const res = {
    statusCode: x.status,
    headersSent: x.headersSent,
    writableFinished: x.complete,
  } as ServerResponse;
  const ex: Exchange = {
    id: x.id,
    start: nowMs() - 5,
    clientIp: x.clientIp,
    route: x.route === undefined ? undefined : ({ prefix: x.route } as Route),
    proxyKey: x.proxyKey,
    poolKey: x.poolKey === undefined ? undefined : ({ fingerprint: x.poolKey } as PoolKey),
    bytesIn: x.bytesIn,
    upstream: x.upstream,
  };
  logRequest(log, req, res, ex);
  return fields;
}

// Guards the request line, written by hand rather than by JSON.stringify (core/logger.ts OWN_JSON): for any
// request it must be the very text JSON.stringify writes of the same fields, so every log collector reads
// the same values, and always one line of valid JSON.
describe('the request line', () => {
  it('is what JSON.stringify writes of its fields, for any request', () => {
    fc.assert(
      fc.property(exchange, (x) => {
        const fields = fieldsOf(x);
        const own = (fields as { [OWN_JSON]?: (f: object) => string })[OWN_JSON];
        expect(own?.(fields)).toBe(JSON.stringify(fields).slice(1, -1));
      }),
      { numRuns: 3000 },
    );
  });

  it('is one line of JSON with the time, level and event first', () => {
    fc.assert(
      fc.property(exchange, (x) => {
        const line = logLine('info', 'request', fieldsOf(x));
        expect(line.indexOf('\n')).toBe(line.length - 1);
        const { time, level, event } = JSON.parse(line) as Record<string, unknown>;
        expect([typeof time, level, event]).toEqual(['string', 'info', 'request']);
      }),
      { numRuns: 500 },
    );
  });
});

// Found in review: only a fixed list of names was redacted, read as sent, split at `&` only.
describe('redactedPath', () => {
  it.each([
    ['/v1/models', '/v1/models'],
    ['/v1beta/models?alt=sse', '/v1beta/models?alt=sse'],
    ['/v1/files?purpose=batch&limit=5', '/v1/files?purpose=batch&limit=5'],
    ['/g?alt=sse&key=AIza1', '/g?alt=sse&key=***'],
    ['/g?k%65y=AIza1', '/g?k%65y=***'],
    ['/g?%6Bey=AIza1', '/g?%6Bey=***'],
    ['/g?api%5Fkey=s1', '/g?api%5Fkey=***'],
    ['/g?a=1;key=s1', '/g?a=1;key=***'],
    [
      '/g?refresh_token=s1&id_token=s2&X-Amz-Signature=s3&X-Amz-Credential=s4',
      '/g?refresh_token=***&id_token=***&X-Amz-Signature=***&X-Amz-Credential=***',
    ],
    [
      '/g?password=s1&client_secret=s2&auth=s3&session=s4',
      '/g?password=***&client_secret=***&auth=***&session=***',
    ],
    ['/g?sk-bare-secret', '/g?***'],
    ['/g?', '/g?'],
    ['/g?%zz=1', '/g?%zz=1'],
  ])('%s → %s', (url, logged) => expect(redactedPath(url)).toBe(logged));
});

// A request the proxy-key step refused may hold a key under any query name: its query is left out whole, and
// a path that had no query does not gain one.
describe('loggedPath', () => {
  it.each([
    ['/v1/models?foo=pk-1&alt=sse', true, '/v1/models?***'],
    ['/v1/models', true, '/v1/models'],
    ['/v1/models?key=s1&alt=sse', false, '/v1/models?key=***&alt=sse'],
  ])('%s (hidden: %s) → %s', (url, queryHidden, logged) =>
    expect(loggedPath(url, { queryHidden } as Exchange)).toBe(logged),
  );
});
