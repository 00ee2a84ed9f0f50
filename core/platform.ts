import type { IncomingMessage } from 'node:http';
import type { ConfigDefaults } from './config';
import type { OxyError } from './errors';
import type { HeaderRule } from './headers/header-rules';

/** What a platform entrypoint tells the core. Everything is optional: the local entry sets none of it. */
export interface Platform {
  /** Short name for logs: `scf`, `fc`, `local`. */
  name: string;
  /** Platform defaults for the environment variables. */
  config?: ConfigDefaults;
  /** Request-header prefixes where the platform puts cloud credentials: always stripped, whatever the config. */
  credentialHeaderPrefixes?: readonly string[];
  /** The largest request body the platform passes on, in bytes (a moderated prompt is read up to it). Default 32 MiB. */
  requestBodyLimit?: number;
  /** Request header that carries the platform's request id (read before headers are stripped), for logs. */
  requestIdHeader?: string;
  /** Response headers the platform rejects. If `date` is among them, Node's own Date header is left off too. */
  forbiddenResponseHeaders?: HeaderRule;
  /**
   * Platform calls that are not client traffic. Returns 200 to answer with an empty 200, an OxyError to
   * refuse, or undefined to proxy the request.
   */
  localAnswer?: (req: IncomingMessage) => 200 | OxyError | undefined;
}
