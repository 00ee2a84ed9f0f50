import { connectionListed } from '../../../core/headers/header-rules';

// `keep-alive` and `close` alone name no header; anything else in the list does, wherever it stands.
describe('connectionListed', () => {
  it.each([
    ['keep-alive', []],
    ['close', []],
    [' Keep-Alive ', []],
    ['CLOSE', []],
    ['X-Secret, close', ['x-secret']],
    ['close, X-Secret', ['x-secret']],
    ['keep-alive, X-Secret', ['x-secret']],
    ['X-Secret, keep-alive', ['x-secret']],
    ['keep-alive-x', ['keep-alive-x']],
    ['xclose', ['xclose']],
    ['keep-alive close', ['keep-alive close']],
  ])('%j → %j', (value, expected) => expect(connectionListed(value)).toEqual(expected));
});
