import { parseIpList } from '../../../core/access/ip-list';

// Guards issue 8, "IP allow and deny lists": which values OXY_IP_ALLOW / OXY_IP_DENY accept, and which
// caller addresses each entry covers, IPv4-mapped IPv6 included.
describe('parseIpList', () => {
  it.each([
    ['203.0.113.7', ['203.0.113.7']],
    ['203.0.113.0/24', ['203.0.113.0/24']],
    ['2001:db8::/32', ['2001:db8::/32']],
    [' 203.0.113.7 , 2001:db8::1 ', ['203.0.113.7', '2001:db8::1']],
    ['203.0.113.7,,\t,198.51.100.0/24,', ['203.0.113.7', '198.51.100.0/24']],
    ['0.0.0.0/0', ['0.0.0.0/0']],
    ['::/0', ['::/0']],
    ['10.0.0.0/32', ['10.0.0.0/32']],
    ['2001:db8::1/128', ['2001:db8::1/128']],
    ['::ffff:0:0/96', ['::ffff:0:0/96']],
    ['', []],
    [' , ', []],
  ])('accepts %j, keeping its entries as given (for messages)', (value, entries) => {
    expect(parseIpList(value).entries).toEqual(entries);
  });

  it.each([
    ['10.0.0.0/33', '10.0.0.0/33'],
    ['2001:db8::/129', '2001:db8::/129'],
    ['10.0.0.0/-1', '10.0.0.0/-1'],
    ['10.0.0.0/+8', '10.0.0.0/+8'],
    ['10.0.0.0/0x8', '10.0.0.0/0x8'],
    ['10.0.0.0/08', '10.0.0.0/08'],
    ['10.0.0.0/8.0', '10.0.0.0/8.0'],
    ['10.0.0.0/', '10.0.0.0/'],
    ['10.0.0.0/8/8', '10.0.0.0/8/8'],
    ['/8', '/8'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['fe80::%1/64', 'fe80::%1/64'],
    ['[2001:db8::1]', '[2001:db8::1]'],
    ['203.0.113.7:443', '203.0.113.7:443'],
    ['010.0.0.1', '010.0.0.1'],
    ['256.0.0.1', '256.0.0.1'],
    ['localhost', 'localhost'],
    ['203.0.113.7, example.com, 10.0.0.0/40', 'example.com'],
    ['203.0.113.*', '203.0.113.*'],
    ['203.0.113.0-203.0.113.9', '203.0.113.0-203.0.113.9'],
  ])('refuses %j, naming the first bad entry %j and what is expected', (value, bad) => {
    expect(() => parseIpList(value)).toThrow(
      new Error(`"${bad}" is not an IP address or CIDR range such as 203.0.113.0/24 or 2001:db8::/32`),
    );
  });

  it('throws a plain Error, so config code can prefix the setting name', () => {
    let thrown: unknown;
    try {
      parseIpList('nope');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).constructor).toBe(Error);
  });
});

describe('IpList.check', () => {
  it.each([
    // Plain IPv4 and IPv6 addresses and ranges.
    ['203.0.113.7', '203.0.113.7', true],
    ['203.0.113.7', '203.0.113.8', false],
    ['203.0.113.0/24', '203.0.113.255', true],
    ['203.0.113.0/24', '203.0.114.0', false],
    ['198.51.100.0/31', '198.51.100.1', true],
    ['198.51.100.0/31', '198.51.100.2', false],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['2001:db8::1', '2001:DB8:0:0:0:0:0:1', true],
    ['2001:DB8::/32', '2001:db8::abcd', true],
    ['0.0.0.0/0', '192.0.2.1', true],
    ['0.0.0.0/0', '2001:db8::1', false],
    // Host bits in a range are masked off, not an error.
    ['203.0.113.9/24', '203.0.113.200', true],
    ['2001:db8::1/32', '2001:db8:1::', true],
    // IPv4-mapped IPv6 counts as its IPv4 address (a dual-stack socket reports IPv4 callers this way).
    ['203.0.113.0/24', '::ffff:203.0.113.7', true],
    ['203.0.113.0/24', '::FFFF:203.0.113.7', true],
    ['203.0.113.0/24', '::ffff:cb00:7107', true],
    ['203.0.113.0/24', '0:0:0:0:0:ffff:cb00:7107', true],
    ['203.0.113.0/24', '::ffff:198.51.100.7', false],
    ['203.0.113.7', '::ffff:203.0.113.7', true],
    ['::ffff:203.0.113.7', '203.0.113.7', true],
    ['::ffff:203.0.113.0/120', '203.0.113.99', true],
    ['::ffff:0:0/96', '192.0.2.1', true],
    ['::ffff:0:0/96', '::ffff:192.0.2.1', true],
    ['::ffff:0:0/96', '2001:db8::1', false],
    // Only the ::ffff:0:0/96 form maps: IPv4-compatible and NAT64 addresses are IPv6 addresses of their own.
    ['203.0.113.0/24', '::203.0.113.7', false],
    ['203.0.113.0/24', '64:ff9b::203.0.113.7', false],
    // A zone names the interface, not the caller: the address alone is matched.
    ['fe80::/10', 'fe80::1%eth0', true],
    ['fe80::1', 'fe80::1%2', true],
    // An empty list matches nothing.
    ['', '203.0.113.7', false],
  ])('%j covers %j: %s', (value, address, expected) => {
    expect(parseIpList(value).check(address)).toBe(expected);
  });

  it.each([
    '',
    ' ',
    'unknown',
    '203.0.113.7 ',
    '203.0.113.7:443',
    '[2001:db8::1]',
    '203.0.113.0/24',
    '203.0.113',
    '%eth0',
    '::ffff:203.0.113.7%',
    '203.0.113.7%eth0',
    '1.2.3.4\r\nx: y',
  ])('returns false, never throws, for %j (not an IP address)', (address) => {
    const list = parseIpList('0.0.0.0/0, ::/0');
    expect(list.check(address)).toBe(false);
  });

  it('returns false for values that are not strings at all', () => {
    const list = parseIpList('0.0.0.0/0');
    for (const value of [undefined, null, 42, {}]) expect(list.check(value as unknown as string)).toBe(false);
  });

  it('matches IPv4 callers with an IPv6 range that contains ::ffff:0:0/96 (documented in parseIpList)', () => {
    expect(parseIpList('::/0').check('203.0.113.7')).toBe(true);
    expect(parseIpList('::/1').check('203.0.113.7')).toBe(true);
    expect(parseIpList('8000::/1').check('203.0.113.7')).toBe(false);
  });
});
