import type { OutgoingHttpHeaders } from 'node:http';
import {
  EXPOSED_HEADERS,
  EXPOSED_HEADER_PATTERN,
  cors,
  exposeHeaders,
  isCorsResponseHeader,
  parseCorsOrigins,
  type CorsOrigins,
} from '../../../core/access/cors';
import { OxyError, sendError } from '../../../core/errors';
import { serveStep, type Answer, type Next } from './serve-step';

const APP = 'https://app.example.com';
const LIST = parseCorsOrigins(`${APP}, http://localhost:3000`);
const EXPOSED = EXPOSED_HEADERS.join(', ');
const METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD';
const ORIGIN_REFUSAL = JSON.stringify({
  error: {
    message: 'Requests from this origin are not allowed.',
    type: 'permission_error',
    code: 'origin_not_allowed',
  },
});

/** The CORS headers of an answer, and nothing else, so each case states all of them. */
function corsHeaders(answer: Answer): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(answer.headers).filter(([name]) => name.startsWith('access-control-') || name === 'vary'),
  );
}

async function send(
  origins: CorsOrigins,
  method: string,
  headers: OutgoingHttpHeaders,
  next?: Next,
): Promise<{ answer: Answer; passed: number }> {
  const server = await serveStep(cors(origins), next);
  try {
    const answer = await server.request(method, headers);
    return { answer, passed: server.passed() };
  } finally {
    await server.close();
  }
}

// Guards issue 8, "CORS": what OXY_CORS_ORIGINS accepts.
describe('parseCorsOrigins', () => {
  it.each([
    ['*', '*'],
    [' * ', '*'],
    [APP, [APP]],
    ['https://App.Example.COM/', [APP]],
    ['HTTPS://app.example.com', [APP]],
    ['https://app.example.com:443', [APP]],
    ['http://app.example.com:80', ['http://app.example.com']],
    ['https://app.example.com:8443', ['https://app.example.com:8443']],
    ['http://localhost:3000', ['http://localhost:3000']],
    ['http://127.0.0.1:5173', ['http://127.0.0.1:5173']],
    ['http://[::1]:8080', ['http://[::1]:8080']],
    ['https://bücher.example', ['https://xn--bcher-kva.example']],
    ['chrome-extension://abcdefghijklmnop', ['chrome-extension://abcdefghijklmnop']],
    ['tauri://localhost', ['tauri://localhost']],
    [` ${APP} ,, http://localhost:3000 ,`, [APP, 'http://localhost:3000']],
    [`${APP},${APP}/`, [APP]],
  ])('accepts %j as %j', (value, expected) => {
    const parsed = parseCorsOrigins(value);
    expect(parsed === '*' ? parsed : [...parsed]).toEqual(expected);
  });

  it.each([
    ['app.example.com', '"app.example.com" is not an origin'],
    ['localhost:3000', '"localhost:3000" is not an origin'],
    ['https://app.example.com/v1', '"https://app.example.com/v1" is not an origin'],
    ['https://app.example.com//', '"https://app.example.com//" is not an origin'],
    // Named with what may be a secret masked, as a refused URL setting is (config/redact.ts).
    ['https://app.example.com?x=1', '"https://app.example.com?***" is not an origin'],
    ['https://app.example.com/?', '"https://app.example.com/?***" is not an origin'],
    ['https://app.example.com#top', '"https://app.example.com?***" is not an origin'],
    ['https://user:pw@app.example.com', '"https://***:***@app.example.com" is not an origin'],
    ['https://@app.example.com', '"https://***@app.example.com" is not an origin'],
    ['https://app.example.com:99999', '"https://app.example.com:99999" is not an origin'],
    ['https://app .example.com', '"https://app .example.com" is not an origin'],
    ['https://', '"https://" is not an origin'],
    ['file:///home/me/index.html', '"file:///home/me/index.html" is not an origin'],
    ['file://host', '"file://host" is not an origin'],
    ['https://*.example.com', '"https://*.example.com" is not an origin'],
    ['https:\\\\app.example.com', 'is not an origin'],
    ['null', '"null" is not allowed'],
    ['NULL', '"null" is not allowed'],
    [`*, ${APP}`, '"*" allows every origin'],
    [`${APP}, nope`, '"nope" is not an origin such as https://app.example.com or http://localhost:3000'],
    ['', 'no origin given'],
    [' , ', 'no origin given'],
  ])('refuses %j, naming the entry', (value, message) => {
    expect(() => parseCorsOrigins(value)).toThrow(message);
  });

  it('names the wildcard as unsupported', () => {
    expect(() => parseCorsOrigins('https://*.example.com')).toThrow('wildcards are not supported');
  });
});

// Guards issue 8, "CORS": preflights are answered here and never forwarded; answers to allowed origins,
// errors included, carry Allow-Origin and the exposed headers; requests without Origin are untouched.
describe('cors', () => {
  const preflight = (origin: string, more: OutgoingHttpHeaders = {}): OutgoingHttpHeaders => ({
    origin,
    'access-control-request-method': 'POST',
    ...more,
  });

  it.each<[string, CorsOrigins, OutgoingHttpHeaders, Record<string, string>]>([
    [
      'any origin gets *, and the requested headers echoed (so Authorization is covered)',
      '*',
      preflight(APP, { 'access-control-request-headers': 'authorization,content-type' }),
      {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': METHODS,
        'access-control-allow-headers': 'authorization,content-type',
        'access-control-max-age': '600',
      },
    ],
    [
      'a listed origin is echoed with Vary: Origin',
      LIST,
      preflight(APP, { 'access-control-request-headers': 'authorization, content-type, x-stainless-os' }),
      {
        'access-control-allow-origin': APP,
        'access-control-allow-methods': METHODS,
        'access-control-allow-headers': 'authorization, content-type, x-stainless-os',
        'access-control-max-age': '600',
        vary: 'Origin',
      },
    ],
    [
      'a listed origin matches in any case and is echoed as sent',
      LIST,
      preflight('HTTP://LOCALHOST:3000'),
      {
        'access-control-allow-origin': 'HTTP://LOCALHOST:3000',
        'access-control-allow-methods': METHODS,
        'access-control-max-age': '600',
        vary: 'Origin',
      },
    ],
    [
      'Origin: null is allowed only by *',
      '*',
      preflight('null'),
      {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': METHODS,
        'access-control-max-age': '600',
      },
    ],
    [
      'no requested headers: no Allow-Headers',
      '*',
      preflight(APP),
      {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': METHODS,
        'access-control-max-age': '600',
      },
    ],
    [
      'malformed requested headers are dropped, not echoed',
      '*',
      preflight(APP, { 'access-control-request-headers': 'authorization, x-a:b' }),
      {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': METHODS,
        'access-control-max-age': '600',
      },
    ],
    [
      'an empty entry in the requested headers is malformed',
      '*',
      preflight(APP, { 'access-control-request-headers': 'authorization,,content-type' }),
      {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': METHODS,
        'access-control-max-age': '600',
      },
    ],
    [
      'whitespace around the requested headers is trimmed',
      '*',
      preflight(APP, { 'access-control-request-headers': '  content-type  ' }),
      {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': METHODS,
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600',
      },
    ],
  ])('preflight: %s; 204, never forwarded, no key needed', async (_what, origins, headers, expected) => {
    const { answer, passed } = await send(origins, 'OPTIONS', headers);
    expect(answer.status).toBe(204);
    expect(corsHeaders(answer)).toEqual(expected);
    expect(answer.headers['content-length']).toBe('0');
    expect(answer.body).toBe('');
    expect(passed).toBe(0);
  });

  it.each([
    ['an unlisted origin', 'https://evil.example'],
    ['a listed origin with another port', 'https://app.example.com:8443'],
    ['a listed origin with a path', `${APP}/`],
    ['Origin: null', 'null'],
    ['two origins in one header', `${APP}, https://evil.example`],
  ])('preflight from %s: 403 in OpenAI shape, no Allow-Origin, never forwarded', async (_what, origin) => {
    const { answer, passed } = await send(LIST, 'OPTIONS', preflight(origin));
    expect(answer.status).toBe(403);
    expect(corsHeaders(answer)).toEqual({});
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.body).toBe(ORIGIN_REFUSAL);
    expect(passed).toBe(0);
  });

  it.each<[string, CorsOrigins, string, OutgoingHttpHeaders, Record<string, string>]>([
    [
      'an allowed origin under *',
      '*',
      'POST',
      { origin: APP },
      { 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED },
    ],
    [
      'a listed origin',
      LIST,
      'POST',
      { origin: APP },
      { 'access-control-allow-origin': APP, 'access-control-expose-headers': EXPOSED, vary: 'Origin' },
    ],
    [
      'an OPTIONS without Access-Control-Request-Method (no preflight)',
      LIST,
      'OPTIONS',
      { origin: APP },
      { 'access-control-allow-origin': APP, 'access-control-expose-headers': EXPOSED, vary: 'Origin' },
    ],
    [
      'an unlisted origin: no CORS headers, the browser hides the answer',
      LIST,
      'POST',
      { origin: 'https://evil.example' },
      {},
    ],
    ['no Origin (server SDKs) under *', '*', 'POST', {}, {}],
    ['no Origin (server SDKs) with a list', LIST, 'POST', {}, {}],
    [
      'no Origin on a request that looks like a preflight otherwise',
      '*',
      'OPTIONS',
      { 'access-control-request-method': 'POST' },
      {},
    ],
  ])('request from %s continues down the pipeline', async (_what, origins, method, headers, expected) => {
    const { answer, passed } = await send(origins, method, headers);
    expect([answer.status, answer.body, passed]).toEqual([200, '{"passed":true}', 1]);
    expect(corsHeaders(answer)).toEqual(expected);
  });

  it('an error answered further on (a 401) carries the CORS headers, so a browser app can read it', async () => {
    const unauthorized: Next = (_req, res) =>
      sendError(res, new OxyError('invalid_proxy_key', 'Incorrect proxy key.', 401, 'authentication_error'));
    const { answer } = await send(LIST, 'POST', { origin: APP }, unauthorized);
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({
      error: { message: 'Incorrect proxy key.', type: 'authentication_error', code: 'invalid_proxy_key' },
    });
    expect(corsHeaders(answer)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-expose-headers': EXPOSED,
      vary: 'Origin',
    });
  });

  it('an upstream answer whose Expose-Headers the integrator widens keeps Allow-Origin', async () => {
    const upstream: Next = (_req, res) => {
      const names = ['content-type', 'x-request-id', 'anthropic-ratelimit-requests-remaining'];
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'access-control-expose-headers': exposeHeaders(names),
      });
      res.end('data: [DONE]\n\n');
    };
    const { answer } = await send('*', 'POST', { origin: APP }, upstream);
    expect(corsHeaders(answer)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-expose-headers': `${EXPOSED}, anthropic-ratelimit-requests-remaining`,
    });
    expect(answer.body).toBe('data: [DONE]\n\n');
  });

  it('looks at nothing but the Origin header when there is none (the server-SDK hot path)', () => {
    const step = cors(LIST);
    const reads: PropertyKey[] = [];
    const headers = new Proxy({} as Record<string, unknown>, {
      get: (target, name) => (reads.push(name), target[name as string]),
    });
    const untouchable = new Proxy(
      {},
      {
        get: () => {
          throw new Error('touched the response');
        },
      },
    );
    expect(step({ headers, method: 'POST' } as never, untouchable as never, { id: 't', start: 0 })).toBe(
      false,
    );
    expect(reads).toEqual(['origin']);
  });
});

describe('EXPOSED_HEADER_PATTERN', () => {
  it.each([
    'x-request-id',
    'X-Request-Id',
    'request-id',
    'openai-organization',
    'openai-processing-ms',
    'openai-model',
    'x-ratelimit-limit-requests',
    'x-ratelimit-reset-tokens',
    'retry-after',
    'retry-after-ms',
    'anthropic-ratelimit-requests-remaining',
    'anthropic-organization-id',
    'x-oxy-key',
    'server-timing',
  ])('matches %j, a header clients read', (name) => expect(EXPOSED_HEADER_PATTERN.test(name)).toBe(true));

  it.each([
    'content-type',
    'set-cookie',
    'authorization',
    'openai',
    'openai-',
    'x-ratelimit',
    'retry-after-s',
    'x-request-idx',
    'xx-request-id',
    'access-control-allow-origin',
    'x-oxy-a,b',
    'openai-a b',
  ])('does not match %j', (name) => expect(EXPOSED_HEADER_PATTERN.test(name)).toBe(false));
});

describe('exposeHeaders', () => {
  it.each<[string, string[], string]>([
    ['nothing from the upstream: the static list', [], EXPOSED],
    [
      'names already in the static list are not repeated',
      ['x-request-id', 'X-RateLimit-Limit-Requests', 'retry-after'],
      EXPOSED,
    ],
    [
      'matching upstream names are added once, lower-case, in order',
      [
        'content-type',
        'Anthropic-Ratelimit-Tokens-Limit',
        'x-oxy-key',
        'anthropic-ratelimit-tokens-limit',
        'openai-model',
      ],
      `${EXPOSED}, anthropic-ratelimit-tokens-limit, x-oxy-key, openai-model`,
    ],
    [
      'names that do not match are left out',
      ['set-cookie', 'content-length', 'access-control-allow-origin', 'x-powered-by'],
      EXPOSED,
    ],
  ])('%s', (_what, names, expected) => {
    expect(exposeHeaders(names)).toBe(expected);
    expect(exposeHeaders(new Set(names))).toBe(expected);
  });

  it('never exposes *, and the static list holds only names the pattern matches', () => {
    expect(exposeHeaders(['*'])).not.toContain('*');
    for (const name of EXPOSED_HEADERS) expect(EXPOSED_HEADER_PATTERN.test(name)).toBe(true);
  });
});

describe('isCorsResponseHeader', () => {
  it.each([
    ['access-control-allow-origin', true],
    ['Access-Control-Expose-Headers', true],
    ['access-control-allow-credentials', true],
    ['access-control', false],
    ['x-access-control-allow-origin', false],
    ['vary', false],
    ['content-type', false],
  ])('%j → %s', (name, expected) => expect(isCorsResponseHeader(name)).toBe(expected));
});
