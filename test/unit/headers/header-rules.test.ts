import { connectionListed, copyHeaders, headerMatcher } from '../../../core/headers/header-rules';

describe('headerMatcher', () => {
  const match = headerMatcher({ names: ['Connection'] }, { prefixes: ['X-SCF', 'x-fc-'] });
  it.each([
    ['connection', true],
    ['x-scf-secret-key', true],
    ['x-scfoo', true],
    ['x-fc-access-key-secret', true],
    ['x-fcm', false],
    ['authorization', false],
    ['content-type', false],
  ])('%s → %s', (name, expected) => expect(match(name)).toBe(expected));
});

describe('connectionListed', () => {
  it.each([
    [undefined, []],
    ['keep-alive', []],
    ['close', []],
    ['Keep-Alive, X-Secret , x-other,', ['x-secret', 'x-other']],
    ['transfer-encoding, x-a', ['transfer-encoding', 'x-a']],
    ['x-secret, close', ['x-secret']],
  ])('%j → %j', (value, expected) => expect(connectionListed(value)).toEqual(expected));
});

describe('copyHeaders', () => {
  it('copies all but the matching headers and those Connection names, leaving the source alone', () => {
    const source = { a: '1', 'x-scf-a': '2', connection: 'x-secret', 'x-secret': 's', b: ['3', '4'] };
    const copy = copyHeaders(source, (n) => n.startsWith('x-scf') || n === 'connection');
    expect(copy).toEqual({ a: '1', b: ['3', '4'] });
    expect(source).toEqual({
      a: '1',
      'x-scf-a': '2',
      connection: 'x-secret',
      'x-secret': 's',
      b: ['3', '4'],
    });
  });
});
