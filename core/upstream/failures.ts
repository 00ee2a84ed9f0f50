import { OxyError } from '../errors';

type Failure = [status: 502 | 504, code: string, message: string];

const UNREACHABLE: Failure = [502, 'upstream_unreachable', 'The upstream API refused the connection.'];
const DNS: Failure = [502, 'upstream_dns_failure', 'The upstream API host name could not be resolved.'];
const RESET: Failure = [502, 'upstream_reset', 'The upstream API closed the connection before answering.'];
const TLS: Failure = [502, 'upstream_tls_failure', 'The TLS handshake with the upstream API failed.'];
const TIMEOUT: Failure = [504, 'upstream_timeout', 'The upstream API did not answer in time.'];
const OTHER: Failure = [502, 'upstream_error', 'The request to the upstream API failed.'];

/** Node and OpenSSL error codes → what the client is told. Pure; see upstream-errors.test.ts. */
const BY_CODE: Record<string, Failure> = {
  ECONNREFUSED: UNREACHABLE,
  EHOSTUNREACH: UNREACHABLE,
  ENETUNREACH: UNREACHABLE,
  EADDRNOTAVAIL: UNREACHABLE,
  ENOTFOUND: DNS,
  EAI_AGAIN: DNS,
  EAI_FAIL: DNS,
  ECONNRESET: RESET,
  EPIPE: RESET,
  ECONNABORTED: RESET,
  HPE_INVALID_CONSTANT: RESET,
  ETIMEDOUT: TIMEOUT,
  ESOCKETTIMEDOUT: TIMEOUT,
};

/**
 * Maps an error from the upstream request to the 502/504 the client gets. The message names what failed
 * but never the upstream's address, so the answer leaks nothing about the deployment.
 */
export function upstreamFailure(err: unknown): OxyError {
  if (err instanceof OxyError) return err;
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  const failure =
    BY_CODE[code] ??
    (/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/.test(code) ? TLS : OTHER);
  return new OxyError(failure[1], failure[2], failure[0]);
}

/** The error an answer is broken off with when the upstream stops mid-body. */
export function upstreamCut(): OxyError {
  return new OxyError('upstream_cut', 'The upstream API stopped before the answer was complete.', 502);
}

/** The error for an answer that is no HTTP answer to this request: a 101 nobody asked for, or another 1xx. */
export function upstreamBadResponse(status: number): OxyError {
  return new OxyError(
    'upstream_bad_response',
    `The upstream API answered with status ${status}, which is not a final answer.`,
    502,
  );
}
