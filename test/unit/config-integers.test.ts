import { loadConfig } from '../../core/config';

// Number() reads hex, binary, octal and exponents; a port or a timeout written that way is a typo.
describe('integer settings', () => {
  it.each([
    '0x10',
    '1e3',
    '0b11',
    '0o17',
    '+80',
    '80.0',
    '1_000',
    '８０',
    'Infinity',
    '-0',
    ' ',
    '99999999999999999999',
  ])('refuse OXY_PORT=%j', (value) => {
    expect(() => loadConfig({ OXY_PORT: value })).toThrow(/OXY_PORT.*an integer from 1 to 65535/);
  });

  it.each([
    ['1', 1],
    ['65535', 65535],
    [' 8080 ', 8080],
    ['0080', 80],
  ])('accept OXY_PORT=%j as %i', (value, port) => {
    expect(loadConfig({ OXY_PORT: value }).port).toBe(port);
  });

  it('accept OXY_UPSTREAM_TIMEOUT_MS from 1 ms to 24 hours, and nothing beyond', () => {
    expect(loadConfig({ OXY_UPSTREAM_TIMEOUT_MS: '1' }).upstreamTimeoutMs).toBe(1);
    expect(loadConfig({ OXY_UPSTREAM_TIMEOUT_MS: '86400000' }).upstreamTimeoutMs).toBe(86_400_000);
    expect(() => loadConfig({ OXY_UPSTREAM_TIMEOUT_MS: '86400001' })).toThrow(/from 1 to 86400000/);
  });
});
