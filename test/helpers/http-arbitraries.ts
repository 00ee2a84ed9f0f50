import fc from 'fast-check';
import { CLIENT_IDENTITY, CLIENT_IDENTITY_PREFIXES, HOP_BY_HOP } from '../../core/headers/header-rules';
import { STAGE_PREFIXES } from '../../core/routing/route-table';
import { KEY_SHAPE } from './log-audit';

/**
 * fast-check arbitraries for HTTP/1.1 requests written byte for byte onto a raw socket: header names as
 * RFC 9110 tokens, values as field-value characters (no CR/LF), origin-form paths and queries in every
 * visible ASCII character, and a body in one of the framings Node's parser reads. Everything generated is
 * within what Node's server accepts and what its client can send on, so a refusal is the proxy's choice.
 */

const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGIT = '0123456789';
/** tchar (RFC 9110 §5.6.2). */
const TCHAR = `!#$%&'*+-.^_\`|~${DIGIT}${ALPHA}`;

const chars = (set: string): fc.Arbitrary<string> => fc.constantFrom(...set.split(''));
const range = (from: number, to: number): string =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i)).join('');

export const token = (maxLength = 16): fc.Arbitrary<string> =>
  fc.string({ unit: chars(TCHAR), minLength: 1, maxLength });

/** The names the proxy must never forward, spelled the way clients and platforms send them. */
export const STRIPPED_NAME_SAMPLES: readonly string[] = [
  ...HOP_BY_HOP,
  ...CLIENT_IDENTITY,
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'X-Scf-Secret-Id',
  'X-Scf-Secret-Key',
  'X-Scf-Session-Token',
  'X-Scf-Request-Id',
  'X-Scf-Remote-Addr',
  'x-fc-access-key-id',
  'x-fc-access-key-secret',
  'x-fc-security-token',
  'x-fc-request-id',
  'x-fc-client-ip',
  'x-fc-control-path',
];

/** Ordinary end-to-end headers of an OpenAI-style API call. */
const API_NAMES = [
  'authorization',
  'content-type',
  'accept',
  'accept-encoding',
  'user-agent',
  'openai-organization',
  'openai-project',
  'openai-beta',
  'x-api-key',
  'anthropic-version',
  'x-request-id',
  'x-stainless-lang',
  'x-stainless-retry-count',
  'idempotency-key',
  'cookie',
  'origin',
  'x-scfnodash',
  'x-fcnodash',
  'x-forwardedfor',
];

/**
 * Names the generators leave out because the request builder writes them itself (Host, the framing, the
 * marker that matches a request to what the upstream saw) or because any value but one makes Node answer
 * before the proxy runs (Expect → 417); Connection is generated apart so that it can name other headers.
 */
export const RESERVED_NAMES = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'expect',
  'x-prop-id',
]);

/** Prefixes that carry credentials or client identity, followed by any token. */
const prefixedName = fc
  .tuple(fc.constantFrom('x-scf-', 'x-fc-', ...CLIENT_IDENTITY_PREFIXES, 'proxy-'), token(12))
  .map(([prefix, rest]) => prefix + rest);

export const headerName: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 3, arbitrary: fc.constantFrom(...STRIPPED_NAME_SAMPLES) },
    { weight: 3, arbitrary: prefixedName },
    { weight: 2, arbitrary: fc.constantFrom(...API_NAMES) },
    { weight: 3, arbitrary: token(20) },
  )
  .chain((name) => fc.mixedCase(fc.constant(name)))
  .filter((name) => !RESERVED_NAMES.has(name.toLowerCase()));

/**
 * field-value (RFC 9110 §5.5): visible ASCII and obs-text (0x80–0xFF, latin1 here as on the wire), with SP
 * and HTAB inside but not at either end (the parser trims those, so a value could not arrive byte for byte).
 */
export const headerValue: fc.Arbitrary<string> = fc
  .string({
    unit: fc.oneof(
      { weight: 8, arbitrary: chars(range(0x21, 0x7e)) },
      { weight: 2, arbitrary: chars(' \t') },
      { weight: 1, arbitrary: chars(range(0x80, 0xff)) },
    ),
    maxLength: 48,
  })
  .map((v) => v.replace(/^[ \t]+|[ \t]+$/g, ''));

export interface HeaderLine {
  name: string;
  value: string;
}

/** Distinct header names (case-insensitively), each with a value. */
export const headerLines: fc.Arbitrary<HeaderLine[]> = fc.uniqueArray(
  fc.record({ name: headerName, value: headerValue }),
  { maxLength: 12, selector: (h) => h.name.toLowerCase() },
);

/**
 * `Connection` lines (none, one or two; Node joins two with `, `), each listing options and the names of
 * some of `headers` and of headers not sent.
 */
export const connectionLines = (headers: HeaderLine[]): fc.Arbitrary<string[]> =>
  fc.array(
    fc
      .array(
        fc.oneof(
          fc.constantFrom('keep-alive', 'Keep-Alive', 'close', 'upgrade'),
          headers.length > 0 ? fc.constantFrom(...headers.map((h) => h.name)) : token(),
          token(),
        ),
        { minLength: 1, maxLength: 4 },
      )
      .chain((names) => fc.constantFrom(',', ', ', ' , ', ',\t').map((sep) => names.join(sep))),
    { maxLength: 2 },
  );

/** Second lines for some of `headers`' names, in another case and with another value: Node joins or drops them. */
export const repeatedLines = (headers: HeaderLine[]): fc.Arbitrary<HeaderLine[]> =>
  headers.length === 0
    ? fc.constant([])
    : fc.array(
        fc.record({
          name: fc.constantFrom(...headers.map((h) => h.name)).chain((n) => fc.mixedCase(fc.constant(n))),
          value: headerValue,
        }),
        { maxLength: 3 },
      );

/** A path segment, with the dot-segment spellings request-target.ts reads as `..` weighted up. */
const segment: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: chars(`${ALPHA}${DIGIT}-._~!$&'()*+,;=:@`), maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: chars(range(0x21, 0x7e).replace('?', '').replace('/', '')) }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('.', '..', '%2e%2e', '%2E.', '..;x', '%252e%252e', '...', '.%2e', '%2e'),
  },
  { weight: 1, arbitrary: fc.constantFrom('%2f', '%5c', '\\', '%25', '%', '%zz', '#', '%00', '%0d%0a') },
);

/** First segments with a meaning to oxy: the stage prefixes route-select.ts drops, the health check. */
const firstSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('v1', 'v1beta', 'chat') },
  { weight: 1, arbitrary: fc.constantFrom(...STAGE_PREFIXES.map((p) => p.slice(1)), 'healthz', '') },
  { weight: 3, arbitrary: segment },
);

/** The query: anything visible, `?`, `/`, `#` and dot-segments included; or none. */
export const query: fc.Arbitrary<string> = fc
  .option(
    fc.string({
      unit: fc.oneof(
        { weight: 6, arbitrary: chars(`${ALPHA}${DIGIT}=&-_.`) },
        { weight: 2, arbitrary: chars(range(0x21, 0x7e)) },
        { weight: 1, arbitrary: fc.constantFrom('/..', '%2e%2e/', 'key=k-123', '?') },
      ),
      maxLength: 40,
    }),
    { nil: '' },
  )
  .map((q) => (q === '' ? '' : `?${q}`));

/** An origin-form request target (`/` + segments + query), which the proxy forwards unless it climbs out. */
export const originForm: fc.Arbitrary<string> = fc
  .tuple(firstSegment, fc.array(segment, { maxLength: 6 }), fc.boolean(), query)
  .map(([first, rest, slash, q]) => `/${[first, ...rest].join('/')}${slash ? '/' : ''}${q}`);

/** Targets that name no resource of the upstream, or another host. */
export const otherForm: fc.Arbitrary<string> = fc.constantFrom(
  '*',
  'http://127.0.0.1:1/v1/models',
  'https://evil.example/v1',
  '//evil.example/v1/models',
  '//user@evil.example/v1/models',
  '/\\user@evil.example/v1/models',
  '/v1/../../etc/passwd',
  '/..',
);

export const requestTarget: fc.Arbitrary<string> = fc.oneof(
  { weight: 19, arbitrary: originForm },
  { weight: 1, arbitrary: otherForm },
);

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const;
export type Method = (typeof METHODS)[number];

/** A request body and how it is delimited on the wire. Bodies hold no CR or LF. */
export type Body =
  { kind: 'none' } | { kind: 'length'; data: string; length: string } | { kind: 'chunked'; chunks: string[] };

const bodyText = fc.string({ unit: chars(range(0x20, 0x7e)), maxLength: 64 });

export const body: fc.Arbitrary<Body> = fc.oneof(
  fc.constant<Body>({ kind: 'none' }),
  fc
    .tuple(bodyText, fc.nat({ max: 3 }))
    // Leading zeros are valid (1*DIGIT): the proxy must send the canonical length on.
    .map(([data, zeros]): Body => ({ kind: 'length', data, length: '0'.repeat(zeros) + data.length })),
  fc
    .array(
      bodyText.filter((c) => c.length > 0),
      { maxLength: 4 },
    )
    .map((chunks): Body => ({ kind: 'chunked', chunks })),
);

export function bodyData(b: Body): string {
  return b.kind === 'length' ? b.data : b.kind === 'chunked' ? b.chunks.join('') : '';
}

export interface GeneratedRequest {
  method: Method;
  target: string;
  /** The Host header's value: anything, since the proxy must send the target's host whatever it is. */
  host: string;
  headers: HeaderLine[];
  /** Second lines of some names in `headers`, written after them. */
  repeats: HeaderLine[];
  /** The `Connection` lines. */
  connection: string[];
  body: Body;
  /** Sends `Expect: 100-continue` before a body. */
  expectContinue: boolean;
}

export const request = (target: fc.Arbitrary<string> = requestTarget): fc.Arbitrary<GeneratedRequest> =>
  headerLines.chain((headers) =>
    fc.record({
      method: fc.constantFrom(...METHODS),
      // The proxy logs paths, and the suite's log audit fails on anything shaped like a test key.
      target: target.filter((t) => !KEY_SHAPE.test(t)),
      host: fc.oneof(fc.constantFrom('oxy', 'api.openai.com', 'evil.example:8080', '127.0.0.1'), token(24)),
      headers: fc.constant(headers),
      repeats: repeatedLines(headers),
      connection: connectionLines(headers),
      body,
      expectContinue: fc.boolean(),
    }),
  );

/** The request's bytes, as latin1 text, with `marker` as `X-Prop-Id` so the upstream's view can be found. */
export function wire(r: GeneratedRequest, marker: string): string {
  let head = `${r.method} ${r.target} HTTP/1.1\r\nHost: ${r.host}\r\nX-Prop-Id: ${marker}\r\n`;
  for (const h of [...r.headers, ...r.repeats]) head += `${h.name}: ${h.value}\r\n`;
  for (const c of r.connection) head += `Connection: ${c}\r\n`;
  const b = r.body;
  if (b.kind !== 'none' && r.expectContinue) head += 'Expect: 100-continue\r\n';
  if (b.kind === 'length') return `${head}Content-Length: ${b.length}\r\n\r\n${b.data}`;
  if (b.kind === 'chunked') {
    const chunks = b.chunks.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('');
    return `${head}Transfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`;
  }
  return `${head}\r\n`;
}
