import { OxyError, sendError } from '../errors';
import type { Step } from '../step';
import { clientIpOf } from './client-ip';
import type { IpList } from './ip-list';

export interface IpAccessOptions {
  allow?: IpList;
  deny?: IpList;
  /** Header the platform sets with the caller's address (e.g. `x-scf-remote-addr`); else the socket's peer. */
  clientIpHeader?: string;
}

/** One instance for every refusal (sendError only reads it); the address never goes into the answer. */
const REFUSAL = new OxyError(
  'ip_not_allowed',
  'Requests from this address are not allowed.',
  403,
  'permission_error',
);

/**
 * Refuses callers by address with 403 in OpenAI's shape, before anything is forwarded. Deny wins over
 * allow; with an allow list, only its addresses pass. With either list set, a caller whose address is
 * unknown is refused (failing closed). A list without entries counts as not set (`OXY_IP_ALLOW=` means
 * unset, not "refuse everyone"); with neither set, the step does nothing.
 */
export function ipAccess(options: IpAccessOptions): Step {
  const allow = options.allow?.entries.length ? options.allow : undefined;
  const deny = options.deny?.entries.length ? options.deny : undefined;
  if (!allow && !deny) return () => false;
  const header = options.clientIpHeader?.toLowerCase();
  return (req, res) => {
    const address = clientIpOf(req, header);
    const allowed =
      address !== undefined && !(deny?.check(address) ?? false) && (allow?.check(address) ?? true);
    if (allowed) return false;
    sendError(res, REFUSAL);
    return true;
  };
}
