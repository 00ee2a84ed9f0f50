import type { IncomingMessage, ServerResponse } from 'node:http';
import { kindOfHost } from '../../../core/routing/provider-kind';
import type { Route } from '../../../core/routing/route';
import { routeSelect } from '../../../core/routing/route-select';
import { parseEnvRoutes, parsePrefix } from '../../../core/routing/route-table';
import type { Exchange } from '../../../core/step';

// Issue 8: the route a path picks, and the path its upstream gets (prefix and stage are the only rewrites).
describe('routeSelect', () => {
  const route = (prefix: string, basePath = ''): Route => ({
    prefix,
    basePath,
    kind: 'openai',
    upstream: () => {},
    websocket: () => {},
  });
  const fallback = route('', '/base');
  const step = routeSelect([route('/claude'), route('/gemini', '/g'), route('/gemini/v2', '/g2')], fallback);
  const pick = (url: string): string => {
    const ex: Exchange = { id: 't', start: 0 };
    let status = 0;
    const res = {
      writableEnded: false,
      headersSent: false,
      destroyed: false,
      writeHead: (s: number) => ((status = s), res),
      end: () => {},
    };
    const answered = step({ url } as IncomingMessage, res as unknown as ServerResponse, ex);
    return answered ? String(status) : `${ex.route?.prefix || 'default'} ${ex.path}`;
  };

  it.each([
    ['/v1/models', 'default /base/v1/models'],
    ['/claude/v1/messages', '/claude /v1/messages'],
    ['/claude', '/claude /'],
    ['/claude?x=1', '/claude /?x=1'],
    ['/claudex', 'default /base/claudex'],
    ['/gemini/v2/models', '/gemini/v2 /g2/models'],
    ['/gemini/v1/models', '/gemini /g/v1/models'],
    ['/release/claude/v1', '/claude /v1'],
    ['/release', 'default /base/'],
    ['/release?x', 'default /base/?x'],
    ['/releases/x', 'default /base/releases/x'],
    ['/claude/../x', '400'],
    ['/claude/a/../../x', '400'],
    ['/claude/a/../x', '/claude /a/../x'],
  ])('%s → %s', (url, expected) => expect(pick(url)).toBe(expected));
});

describe('route settings', () => {
  it.each(['/claude', '/a/b', '/v1:x', '/A_b-c~'])('accepts the prefix %j', (p) =>
    expect(parsePrefix(p)).toBe(p),
  );
  it.each(['claude', '/', '/claude/', '//x', '/a/../b', '/a b', '/release', '/TEST', '/%2e'])(
    'refuses the prefix %j',
    (p) => expect(() => parsePrefix(p)).toThrow(),
  );
  it('reads PREFIX=URL pairs, with the provider from the host, and refuses a prefix given twice', () => {
    expect(
      parseEnvRoutes(['/c=https://api.anthropic.com/', '/g=https://generativelanguage.googleapis.com']),
    ).toEqual([
      { prefix: '/c', target: new URL('https://api.anthropic.com'), kind: 'anthropic', upstreamKeys: [] },
      {
        prefix: '/g',
        target: new URL('https://generativelanguage.googleapis.com'),
        kind: 'gemini',
        upstreamKeys: [],
      },
    ]);
    expect(() => parseEnvRoutes(['/c=https://a.example', '/c=https://b.example'])).toThrow(/given twice/);
    expect(() => parseEnvRoutes(['/c'])).toThrow(/PREFIX=URL/);
  });
  it.each([
    ['api.openai.com', 'openai'],
    ['api.anthropic.com', 'anthropic'],
    ['API.Anthropic.com', 'anthropic'],
    ['generativelanguage.googleapis.com', 'gemini'],
    ['my.openai.azure.com', 'azure'],
    ['x.cognitiveservices.azure.com', 'azure'],
    ['api.deepseek.com', 'openai'],
    ['openai.azure.com.evil.example', 'openai'],
  ])('%s is a %s host', (host, kind) => expect(kindOfHost(host)).toBe(kind));
});
