import { BlockList, isIP } from 'node:net';

/** A parsed `OXY_IP_ALLOW` / `OXY_IP_DENY` value. */
export interface IpList {
  /** the entries as given, for messages */
  entries: readonly string[];
  /** Is `address` in the list? False, never a throw, for anything that is not an IP address. */
  check(address: string): boolean;
}

const EXPECTED = 'is not an IP address or CIDR range such as 203.0.113.0/24 or 2001:db8::/32';

/** Decimal, no sign, no leading zero: `0x18`, `+24` or `024` would each read differently somewhere. */
const PREFIX = /^(?:0|[1-9][0-9]{0,2})$/;

/**
 * Parses comma-separated IPv4/IPv6 addresses and CIDR ranges (whitespace around entries and empty entries
 * are ignored; a list with no entries matches nothing). Host bits in a range are allowed and masked off
 * (`203.0.113.9/24` is `203.0.113.0/24`). Throws, naming the first bad entry, for anything else.
 *
 * Matching is Node's own `net.BlockList` (no bundle bytes, kept by Node). It compares IPv4 and
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as the same address in both directions, so an IPv4 entry matches
 * a mapped address and `::ffff:0:0/96` matches every IPv4 address. An IPv6 range that contains
 * `::ffff:0:0/96`, such as `::/0`, therefore matches IPv4 callers too.
 */
export function parseIpList(value: string): IpList {
  const entries: string[] = [];
  const list = new BlockList();
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (!addEntry(list, entry)) throw new Error(`${JSON.stringify(entry)} ${EXPECTED}`);
    entries.push(entry);
  }
  if (entries.length === 0) return { entries, check: () => false };
  return { entries, check: (address) => matches(list, address) };
}

/** Adds one entry to `list`; false if it is not an address or range. */
function addEntry(list: BlockList, entry: string): boolean {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  // isIP accepts zone ids (`fe80::1%eth0`): a zone names an interface of one host, not part of an address.
  if (address.includes('%')) return false;
  const family = isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash === -1) {
    list.addAddress(address, type);
    return true;
  }
  const prefix = entry.slice(slash + 1);
  if (!PREFIX.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128)) return false;
  list.addSubnet(address, Number(prefix), type);
  return true;
}

function matches(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) return list.check(address, 'ipv4');
  // A link-local address may carry its interface (`fe80::1%eth0`); the address alone is what a list names.
  const zone = address.indexOf('%');
  return list.check(zone === -1 ? address : address.slice(0, zone), 'ipv6');
}
