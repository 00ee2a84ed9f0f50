// Tencent Cloud SCF web function. Platform facts and sources: shared/PLATFORMS.md.
import type { Platform } from '../../core/platform';

export const scfPlatform: Platform = {
  name: 'scf',
  // The platform routes to 0.0.0.0:9000, oxy's default port (cloud.tencent.com/document/product/583/56124).
  // The caller's address on Function URL requests; callers cannot send X-Scf-* themselves (PLATFORMS.md).
  config: { values: { OXY_HOP_HEADER_PREFIX: 'X-SCF', OXY_CLIENT_IP_HEADER: 'x-scf-remote-addr' } },
  // X-Scf-Secret-Id / -Secret-Key / -Session-Token carry the run role's live credentials (583/56124).
  credentialHeaderPrefixes: ['x-scf-'],
  requestIdHeader: 'x-scf-request-id',
  // Synchronous request bodies are at most 6 MB (PLATFORMS.md).
  requestBodyLimit: 6 * 1024 * 1024,
};
