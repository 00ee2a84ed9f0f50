import { keyHeader } from '../routing/provider-kind';
import type { Exchange } from '../step';

/**
 * Writes the request's pool key, if it has one, into filtered `headers`. After the filter, never before it:
 * a client's `Connection: authorization` names its own header as hop-by-hop, and would otherwise take the
 * pool key off, get the key a 401, and have it blamed.
 */
export function poolKeyHeader(headers: NodeJS.Dict<string | string[]>, ex: Exchange): void {
  if (!ex.poolKey || !ex.route) return;
  const [name, value] = keyHeader(ex.route.kind, ex.poolKey.key);
  headers[name] = value;
}
