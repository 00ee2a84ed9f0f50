import { upstreamFailure } from '../../../core/upstream/failures';

// Every code the table names, and the TLS families matched by prefix, each to what the client is told.
describe('upstreamFailure codes', () => {
  it.each([
    ['ENETUNREACH', 502, 'upstream_unreachable'],
    ['EADDRNOTAVAIL', 502, 'upstream_unreachable'],
    ['EAI_FAIL', 502, 'upstream_dns_failure'],
    ['ECONNABORTED', 502, 'upstream_reset'],
    ['HPE_INVALID_CONSTANT', 502, 'upstream_reset'],
    ['ESOCKETTIMEDOUT', 504, 'upstream_timeout'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 502, 'upstream_tls_failure'],
    ['ERR_TLS_HANDSHAKE_TIMEOUT', 502, 'upstream_tls_failure'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 502, 'upstream_tls_failure'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 502, 'upstream_tls_failure'],
    ['CERT_NOT_YET_VALID', 502, 'upstream_tls_failure'],
    ['X_CERT_HAS_EXPIRED', 502, 'upstream_error'],
    ['ERR_TLSX', 502, 'upstream_error'],
    ['econnrefused', 502, 'upstream_error'],
  ])('%s → %i %s', (code, status, oxyCode) => {
    const failure = upstreamFailure(Object.assign(new Error('x'), { code }));
    expect([failure.status, failure.code, failure.type]).toEqual([status, oxyCode, 'proxy_error']);
  });
});

// What the client reads: names what failed, never where.
describe('upstreamFailure messages', () => {
  it.each([
    ['ECONNREFUSED', 'The upstream API refused the connection.'],
    ['ENOTFOUND', 'The upstream API host name could not be resolved.'],
    ['ECONNRESET', 'The upstream API closed the connection before answering.'],
    ['CERT_HAS_EXPIRED', 'The TLS handshake with the upstream API failed.'],
    ['ETIMEDOUT', 'The upstream API did not answer in time.'],
    ['EWHATEVER', 'The request to the upstream API failed.'],
  ])('%s → %j', (code, message) => {
    expect(upstreamFailure(Object.assign(new Error('x'), { code })).message).toBe(message);
  });
});
