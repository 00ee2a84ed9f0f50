import { OxyError } from '../../../core/errors';
import { upstreamCut, upstreamFailure } from '../../../core/upstream/failures';

describe('upstreamFailure', () => {
  it.each([
    ['ECONNREFUSED', 502, 'upstream_unreachable'],
    ['EHOSTUNREACH', 502, 'upstream_unreachable'],
    ['ENOTFOUND', 502, 'upstream_dns_failure'],
    ['EAI_AGAIN', 502, 'upstream_dns_failure'],
    ['ECONNRESET', 502, 'upstream_reset'],
    ['EPIPE', 502, 'upstream_reset'],
    ['ETIMEDOUT', 504, 'upstream_timeout'],
    ['CERT_HAS_EXPIRED', 502, 'upstream_tls_failure'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 502, 'upstream_tls_failure'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 502, 'upstream_tls_failure'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 502, 'upstream_tls_failure'],
    ['EWHATEVER', 502, 'upstream_error'],
    [undefined, 502, 'upstream_error'],
  ])('%s → %i %s', (code, status, oxyCode) => {
    const err = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code });
    const failure = upstreamFailure(err);
    expect([failure.status, failure.code]).toEqual([status, oxyCode]);
    // Never the upstream address or Node's own message.
    expect(failure.message).not.toMatch(/10\.0\.0\.1|ECONN/);
  });

  it('passes an OxyError through', () => {
    const t = upstreamCut();
    expect(upstreamFailure(t)).toBe(t);
    expect([t.status, t.code, t.message]).toEqual([
      502,
      'upstream_cut',
      'The upstream API stopped before the answer was complete.',
    ]);
  });

  it('handles non-errors', () => {
    expect(upstreamFailure(null)).toBeInstanceOf(OxyError);
  });
});
