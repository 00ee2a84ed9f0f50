import type { CorsOrigins } from '../access/cors';
import { keyMatcher } from '../access/key-match';
import { SUBPROTOCOL_KEY_PREFIX as PREFIX } from '../access/proxy-keys';
import { OxyError, sendError } from '../errors';
import type { Step } from '../step';

const ORIGIN_REFUSAL = new OxyError(
  'origin_not_allowed',
  'WebSocket sessions from this origin are not allowed.',
  403,
  'permission_error',
);

/**
 * A browser sends `Origin` on every WebSocket, and nothing stops another site's page from opening one with
 * its user's cookies or network position: an upgrade from an origin OXY_CORS_ORIGINS does not allow is
 * refused with 403. Without `Origin` (a server-side client) it passes.
 */
export function websocketOrigin(origins: CorsOrigins): Step {
  return (req, res) => {
    const origin = req.headers.origin;
    if (origins === '*' || origin === undefined || origins.has(origin.toLowerCase())) return false;
    sendError(res, ORIGIN_REFUSAL);
    return true;
  };
}

/**
 * Browsers cannot set headers on a WebSocket, so OpenAI's browser form puts the key in the subprotocol
 * list as `openai-insecure-api-key.<key>`. A proxy key there is taken out of the list and moved to
 * `Authorization`, where the proxy-key step checks and removes it like any other (and the pool-key step
 * may put a pool key there); the upstream then picks among the subprotocols left, which the client offered.
 * Any other key in that form is the client's own and goes through as it is.
 */
export function subprotocolKey(keys: readonly string[]): Step {
  const match = keyMatcher(keys);
  return (req) => {
    const offered = req.headers['sec-websocket-protocol'];
    if (offered === undefined || !offered.includes(PREFIX)) return false;
    const tokens = offered.split(',').map((t) => t.trim());
    const index = tokens.findIndex((t) => t.startsWith(PREFIX) && match(t.slice(PREFIX.length)) !== -1);
    if (index === -1) return false;
    const key = tokens[index]!.slice(PREFIX.length);
    tokens.splice(index, 1);
    if (tokens.length > 0) req.headers['sec-websocket-protocol'] = tokens.join(', ');
    else delete req.headers['sec-websocket-protocol'];
    req.headers.authorization ??= `Bearer ${key}`;
    return false;
  };
}
