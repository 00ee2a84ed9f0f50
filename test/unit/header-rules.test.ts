import { dropConnectionListed, dropMatching, headerMatcher } from '../../core/header-rules';

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

describe('dropMatching', () => {
  it('deletes matching headers and keeps the rest', () => {
    const h = { a: '1', 'x-scf-a': '2', b: '3' };
    dropMatching(h, (n) => n.startsWith('x-scf'));
    expect(h).toEqual({ a: '1', b: '3' });
  });
});

describe('dropConnectionListed', () => {
  it('deletes the headers Connection names, case-insensitively, but never the framing', () => {
    const h = {
      connection: 'keep-alive, X-Secret ,transfer-encoding',
      'x-secret': 's',
      'transfer-encoding': 'chunked',
      keep: '1',
    };
    dropConnectionListed(h);
    expect(h).toEqual({
      connection: 'keep-alive, X-Secret ,transfer-encoding',
      'transfer-encoding': 'chunked',
      keep: '1',
    });
  });
  it('does nothing without Connection', () => {
    const h = { a: '1' };
    dropConnectionListed(h);
    expect(h).toEqual({ a: '1' });
  });
});
