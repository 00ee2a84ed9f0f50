import type { IncomingHttpHeaders } from 'node:http';
import { keyMatcher, poolKeyFingerprint, proxyKeyFingerprint } from '../../../core/access/key-match';
import { leftAnywhere, takeProxyKey } from '../../../core/access/proxy-keys';

// Issue 8: where a proxy key is found, what is removed, and what is forwarded in its place.
describe('takeProxyKey', () => {
  const match = keyMatcher(['pk-one', 'pk-two']);
  it.each<[IncomingHttpHeaders, number, IncomingHttpHeaders]>([
    [{ authorization: 'Bearer pk-one' }, 0, {}],
    [{ authorization: 'bearer\tpk-two ' }, 1, {}],
    [{ authorization: 'Bearer sk-up:pk-two' }, 1, { authorization: 'Bearer sk-up' }],
    [{ authorization: 'Bearer sk:up:pk-one' }, 0, { authorization: 'Bearer sk:up' }],
    [{ authorization: 'Bearer :pk-one' }, -1, { authorization: 'Bearer :pk-one' }],
    [{ authorization: 'Bearer pk-one:sk-up' }, -1, { authorization: 'Bearer pk-one:sk-up' }],
    [{ authorization: 'Basic pk-one' }, -1, { authorization: 'Basic pk-one' }],
    [{ 'x-api-key': 'pk-two' }, 1, {}],
    [{ 'x-goog-api-key': ' pk-one ' }, 0, {}],
    [{ 'api-key': 'pk-one', authorization: 'Bearer sk-own' }, 0, { authorization: 'Bearer sk-own' }],
    [{ 'x-api-key': 'pk-one', 'api-key': 'pk-two' }, 1, {}],
    [{ 'x-api-key': 'sk-ant' }, -1, { 'x-api-key': 'sk-ant' }],
    [{ 'x-proxy-key': 'pk-one' }, -1, { 'x-proxy-key': 'pk-one' }],
    [{}, -1, {}],
  ])('%j → key %i, forwarding %j', (headers, index, after) => {
    const copy = { ...headers };
    expect(takeProxyKey(copy, match)).toBe(index);
    expect(copy).toEqual(after);
  });
});

describe('keyMatcher', () => {
  it.each([
    ['pk-one', 0],
    ['pk-two', 1],
    ['pk-on', -1],
    ['pk-one ', -1],
    ['PK-ONE', -1],
    ['', -1],
  ])('%j → %i', (candidate, index) => expect(keyMatcher(['pk-one', 'pk-two'])(candidate)).toBe(index));
});

describe('fingerprints', () => {
  it('name a pool key by its last 4 characters, as provider dashboards do', () => {
    expect(poolKeyFingerprint('sk-proj-abcdefgh1234')).toBe('...1234');
  });
  it('name a proxy key by a hash that does not reveal it', () => {
    expect(proxyKeyFingerprint('pk-one')).toMatch(/^#[0-9a-f]{8}$/);
    expect(proxyKeyFingerprint('pk-one')).not.toBe(proxyKeyFingerprint('pk-two'));
  });
});

// Found in review: copies of the proxy key oxy did not recognise went upstream. A whole token only, so an
// upstream key that merely contains the proxy key is not mistaken for it.
describe('leftAnywhere', () => {
  it.each<[string, IncomingHttpHeaders, string, boolean]>([
    ['nothing left', { authorization: 'Bearer sk-up' }, '/v1/models', false],
    ['a repeated api-key', { 'api-key': 'pk-one, pk-one' }, '/', true],
    ['a malformed copy', { 'x-goog-api-key': 'pk-one x' }, '/', true],
    ['a header no SDK uses', { 'x-proxy-key': 'pk-one' }, '/', true],
    [
      'a subprotocol offered twice',
      { 'sec-websocket-protocol': 'realtime, openai-insecure-api-key.pk-one' },
      '/',
      true,
    ],
    ['?key=', {}, '/v1beta/models?alt=sse&key=pk-one', true],
    [
      'the subprotocol prefix in another case',
      { 'sec-websocket-protocol': 'OpenAI-Insecure-Api-Key.pk-one' },
      '/',
      true,
    ],
    ['a quoted copy', { 'x-note': '"pk-one"' }, '/', true],
    ['?key= percent-encoded', {}, '/v1beta/models?key=%70k-one', true],
    ['the key inside a longer upstream key', { authorization: 'Bearer sk-pk-one-2' }, '/?key=xpk-one', false],
    ['the key in the path only', {}, '/v1/pk-one', false],
  ])('%s → %s', (_name, headers, url, left) => expect(leftAnywhere(headers, url, 'pk-one')).toBe(left));
});
