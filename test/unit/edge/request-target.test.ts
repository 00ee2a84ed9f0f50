import { escapesRoot, requestTargetRefusal } from '../../../core/edge/request-target';

// Guards issue 6 items 4 and 9: the upstream path stays under the target's base path in every spelling
// an upstream or gateway might resolve, and `*` or absolute-form targets are refused.
describe('requestTargetRefusal', () => {
  it.each([
    ['/v1/models', undefined],
    ['/v1/files//content', undefined],
    ['/v1/proxy/http:/x?q=http:/y', undefined],
    ['/v1beta/models/gemini-1.5-pro:streamGenerateContent?alt=sse', undefined],
    ['/v1/x?path=../../etc', undefined],
    ['*', 'invalid_request_target'],
    ['http://evil.example/v1/models', 'invalid_request_target'],
    ['', 'invalid_request_target'],
    ['/../x', 'path_outside_base'],
    ['/v1/../../x?q=1', 'path_outside_base'],
    // Found in review: `..#` is no `..` segment to escapesRoot, but an upstream that ends the path at `#` (as
    // WHATWG URL parsers do) climbed one level above the base path.
    ['/..#', 'invalid_request_target'],
    ['/%2e%2e#/models', 'invalid_request_target'],
    ['/v1/models?q=a#b', 'invalid_request_target'],
    ['/v1/files/a%23b', undefined],
  ])('%j → %s', (url, code) => {
    const refusal = requestTargetRefusal(url);
    expect(refusal?.code).toBe(code);
    if (refusal) expect([refusal.status, refusal.type]).toEqual([400, 'invalid_request_error']);
  });
});

describe('escapesRoot', () => {
  it.each([
    '/..',
    '/../',
    '/../x',
    '/%2e%2e/x',
    '/%2E%2E/x',
    '/.%2e/x',
    '/%2e./x',
    '/..%2fx',
    '/..%2Fx',
    '/..%5cx',
    '/..\\x',
    '/a/..%2f..%2fx',
    '/a/../../x',
    '/a//../../x',
    '/%252e%252e/x',
    '/%25252e%25252e/x',
    '/..;/x',
    '/a/./../..',
    '/a/b/../../../x',
  ])('%j climbs above the root', (path) => expect(escapesRoot(path)).toBe(true));

  it.each([
    '/',
    '/v1/models',
    '/a/..',
    '/a/../b',
    '/a/b/../../c',
    '/./x',
    '/...',
    '/..a',
    '/a..',
    '/v1/files//content',
    '/%2e',
    '/a/%2e%2e',
    '/models/gpt-4.1',
    '/100%25',
  ])('%j stays under it', (path) => expect(escapesRoot(path)).toBe(false));
});
