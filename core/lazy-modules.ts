/**
 * Node built-ins loaded on first use rather than at start. `node:https` brings TLS and crypto with it, about
 * 1 MB of an idle instance's memory and a few ms of cold start; an instance that never needs them (an http
 * upstream, no keys, no WebSocket) never loads them. (http-proxy's own `require('https')` is made lazy the
 * same way at build time: scripts/stubs/https.js.)
 */
function lazy<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}

export const https = lazy(() => require('node:https') as typeof import('node:https'));
export const crypto = lazy(() => require('node:crypto') as typeof import('node:crypto'));
