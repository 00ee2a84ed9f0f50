// Aliyun Function Compute custom runtime / web function. Platform facts and sources: shared/PLATFORMS.md.
import { OxyError } from '../../core/errors';
import type { Platform } from '../../core/platform';

// Lifecycle hooks FC calls on the same port (alibabacloud.com/help/zh/fc/user-guide/specification-details).
const LIFECYCLE = new Set(['/initialize', '/pre-freeze', '/pre-stop']);

export const fcPlatform: Platform = {
  name: 'fc',
  config: {
    // x-fc-client-ip: the caller's address; clients cannot send x-fc-* themselves (PLATFORMS.md).
    values: { OXY_HOP_HEADER_PREFIX: 'X-FC', OXY_CLIENT_IP_HEADER: 'x-fc-client-ip' },
    // FC passes the configured CAPort here (help.aliyun.com/document_detail/164217.htm).
    fallbacks: { OXY_PORT: 'FC_CUSTOM_LISTEN_PORT' },
  },
  // x-fc-access-key-id / -access-key-secret / -security-token carry the role's STS credentials.
  credentialHeaderPrefixes: ['x-fc-'],
  requestIdHeader: 'x-fc-request-id',
  // Synchronous request bodies are at most 32 MB (PLATFORMS.md).
  requestBodyLimit: 32 * 1024 * 1024,
  forbiddenResponseHeaders: { names: ['date', 'server'], prefixes: ['x-fc-'] },
  // FC says what a call is in x-fc-control-path, not in the URL: a client's POST /initialize is /http-invoke.
  localAnswer: (req) => {
    const path = req.headers['x-fc-control-path'];
    if (path === undefined || path === '/http-invoke') return undefined;
    if (typeof path === 'string' && LIFECYCLE.has(path)) return 200;
    return new OxyError(
      'unsupported_invocation',
      'oxy answers HTTP trigger requests only.',
      400,
      'invalid_request_error',
    );
  },
};
