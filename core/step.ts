import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * One step of a request's path through oxy (core/app.ts runs them in order): true when it has answered
 * the request, which then goes no further.
 */
export type Step = (req: IncomingMessage, res: ServerResponse) => boolean;
