import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config';
import { OxyError } from '../../core/errors';

// Issue 8, configuration beyond SCF's 4 KB of environment: a JSON file, overridden by the environment,
// and refused with one line that names the file and the problem, never a secret's value.
const SECRET = 'sk-secret-value-0123';
let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'oxy-config-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(content: string, name = 'oxy.json'): string {
  const f = path.join(dir, name);
  writeFileSync(f, content);
  return f;
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(OxyError);
    expect((err as OxyError).message).not.toContain('\n');
    return (err as OxyError).message;
  }
  throw new Error('the configuration was accepted');
}

describe('the config file', () => {
  it('is read from OXY_CONFIG_FILE, with keys named as the variables in camelCase', () => {
    const f = file(
      JSON.stringify({
        target: 'https://api.example.com/base/',
        proxyKeys: ['pk-1', 'pk-2'],
        upstreamKeys: [SECRET],
        upstreamTimeoutMs: 5000,
        hopHeaderPrefix: ['X-Custom'],
        corsOrigins: ['https://app.example'],
        routes: [{ prefix: '/claude', target: 'https://api.anthropic.com' }],
      }),
    );
    const c = loadConfig({ OXY_CONFIG_FILE: f });
    expect(c.target.href).toBe('https://api.example.com/base');
    expect(c.proxyKeys).toEqual(['pk-1', 'pk-2']);
    expect(c.upstreamKeys).toEqual([SECRET]);
    expect(c.upstreamTimeoutMs).toBe(5000);
    expect(c.hopHeaderPrefixes).toEqual(['x-custom']);
    expect(c.routes).toEqual([
      {
        prefix: '/claude',
        target: new URL('https://api.anthropic.com'),
        kind: 'anthropic',
        upstreamKeys: [],
      },
    ]);
  });

  it('yields to the environment, value by value', () => {
    const f = file(JSON.stringify({ proxyKeys: ['pk-file'], port: 8000, upstreamTimeoutMs: 5000 }));
    const c = loadConfig({ OXY_CONFIG_FILE: f, OXY_PROXY_KEYS: 'pk-env', OXY_PORT: '7000' });
    expect([c.proxyKeys, c.port, c.upstreamTimeoutMs]).toEqual([['pk-env'], 7000, 5000]);
  });

  it('is read beside index.js when present, and its absence there is no error', () => {
    const f = file(JSON.stringify({ proxyKeys: ['pk-beside'] }));
    expect(loadConfig({}, { configFile: f }).proxyKeys).toEqual(['pk-beside']);
    expect(loadConfig({}, { configFile: path.join(dir, 'none.json') }).proxyKeys).toEqual([]);
  });

  it.each<[string, () => string, RegExp]>([
    [
      'a missing named file',
      () => path.join(dir, 'missing.json'),
      /missing\.json cannot be read \(ENOENT\)$/,
    ],
    ['a folder', () => (mkdirSync(path.join(dir, 'd')), path.join(dir, 'd')), /d is not a regular file$/],
    // Found in review: a FIFO blocked the read, and with it the start (and the build), for good.
    [
      'a FIFO',
      () => (execFileSync('mkfifo', [path.join(dir, 'fifo')]), path.join(dir, 'fifo')),
      /fifo is not a regular file$/,
    ],
    [
      'a file over 1 MiB',
      () => file(`{"proxyKeys": ["${'k'.repeat(1024 * 1024)}"]}`),
      /oxy\.json is over 1048576 bytes$/,
    ],
    [
      'malformed JSON',
      () => file(`{"proxyKeys": ["${SECRET}",]}`),
      /oxy\.json is not valid JSON( \(near line 1, column \d+\))?$/,
    ],
    ['not an object', () => file(`["${SECRET}"]`), /must hold one JSON object/],
    [
      'an unknown key',
      () => file('{"proxyKey": ["pk"]}'),
      /has no setting "proxyKey"; settings are target, targetKind/,
    ],
    ['a key pasted as a name', () => file(`{"${SECRET}": 1}`), /has no setting with that name/],
    [
      'a list given as a string',
      () => file(`{"proxyKeys": "${SECRET}"}`),
      /oxy\.json: proxyKeys: expected an array of strings$/,
    ],
    [
      'a number given as a word',
      () => file('{"port": "ninety"}'),
      /oxy\.json: port: expected an integer from 1 to 65535$/,
    ],
    // Found in review: a switch was read as String(value), so ["true"] turned chat logging on.
    [
      'a switch given as a list',
      () => file('{"logChat": ["true"]}'),
      /oxy\.json: logChat: expected true or false$/,
    ],
    [
      'a switch given as a number',
      () => file('{"moderationFailOpen": 1}'),
      /oxy\.json: moderationFailOpen: expected true or false$/,
    ],
    [
      'a bad route',
      () => file('{"routes": [{"prefix": "claude", "target": "https://x"}]}'),
      /oxy\.json: routes\[0\]\.prefix: expected a route prefix/,
    ],
    [
      'a route with an unknown field',
      () => file('{"routes": [{"prefix": "/c", "target": "https://x", "key": "k"}]}'),
      /routes\[0\]: expected an array of/,
    ],
    [
      'a bad route kind',
      () => file('{"routes": [{"prefix": "/c", "target": "https://x", "kind": "claude"}]}'),
      /routes\[0\]\.kind: expected one of openai, azure, anthropic, gemini/,
    ],
    [
      'a key with a space',
      () => file(`{"proxyKeys": ["${SECRET} x"]}`),
      /proxyKeys: expected keys of visible ASCII/,
    ],
  ])('refuses %s with one line naming the file and the problem, never a secret', (_name, make, pattern) => {
    const f = make();
    const message = refusal(() => loadConfig({ OXY_CONFIG_FILE: f }));
    expect(message).toMatch(pattern);
    expect(message).toContain(f);
    expect(message).not.toContain(SECRET);
  });

  it('refuses a relative OXY_CONFIG_FILE', () => {
    expect(refusal(() => loadConfig({ OXY_CONFIG_FILE: 'oxy.json' }))).toBe(
      'OXY_CONFIG_FILE="oxy.json": expected an absolute path such as /opt/oxy.json',
    );
  });

  it('refuses an unreadable file', () => {
    const f = file('{}');
    chmodSync(f, 0);
    // root reads anything: then the check is moot, and the missing-file case above covers the branch.
    if (process.getuid?.() === 0) return;
    expect(refusal(() => loadConfig({ OXY_CONFIG_FILE: f }))).toMatch(/cannot be read \(EACCES\)/);
  });
});

describe('switches in the file', () => {
  it.each<[unknown, boolean]>([
    [true, true],
    [false, false],
    ['true', true],
    [' FALSE ', false],
  ])('read %j as %s', (value, expected) => {
    const config = loadConfig({
      OXY_CONFIG_FILE: file(JSON.stringify({ logChat: value, moderationFailOpen: value })),
    });
    expect([config.logChat, config.moderationFailOpen]).toEqual([expected, expected]);
  });
});

describe('the open-relay guard', () => {
  // The line names the pool that was set (found in review: a route's pool was reported as OXY_UPSTREAM_KEYS).
  it.each<[string, Record<string, string>, string, string]>([
    ['a pool in the environment', { OXY_UPSTREAM_KEYS: SECRET }, '', 'OXY_UPSTREAM_KEYS'],
    [
      'a route pool in the file',
      {},
      JSON.stringify({ routes: [{ prefix: '/c', target: 'https://x', upstreamKeys: [SECRET] }] }),
      'the upstreamKeys of route "/c"',
    ],
  ])('refuses to start with %s and no proxy keys', (_name, env, content, pool) => {
    const extra = content ? { OXY_CONFIG_FILE: file(content) } : {};
    const message = refusal(() => loadConfig({ ...env, ...extra }));
    expect(message).toBe(
      `${pool} is set but OXY_PROXY_KEYS is not: anyone who finds this URL could spend the pool keys; set OXY_PROXY_KEYS`,
    );
    expect(message).not.toContain(SECRET);
  });

  // Found in review: a newline in the file's path split the one line that stops the start in two.
  it('escapes control characters of the path in its one line', () => {
    const sub = path.join(dir, 'a\nb');
    mkdirSync(sub);
    const f = path.join(sub, 'oxy.json');
    writeFileSync(f, '{"port": "x"}');
    const message = refusal(() => loadConfig({ OXY_CONFIG_FILE: f }));
    expect(message).not.toContain('\n');
    expect(message).toContain('a\\nb/oxy.json: port: expected an integer from 1 to 65535');
  });

  it('starts with a pool and proxy keys', () => {
    expect(loadConfig({ OXY_UPSTREAM_KEYS: SECRET, OXY_PROXY_KEYS: 'pk' }).upstreamKeys).toEqual([SECRET]);
  });
});

describe('secret settings in the environment', () => {
  it.each(['OXY_PROXY_KEYS', 'OXY_UPSTREAM_KEYS'])('%s is refused without its value', (name) => {
    const message = refusal(() =>
      loadConfig({ [name]: `${SECRET} two`, OXY_PROXY_KEYS: 'pk', [name + '']: `${SECRET} two` }),
    );
    expect(message).toBe(
      `${name}=(hidden): expected keys of visible ASCII characters without spaces or commas`,
    );
  });

  it('OXY_ROUTES with credentials in a URL is refused without them', () => {
    const message = refusal(() => loadConfig({ OXY_ROUTES: `/c=https://u:${SECRET}@x.example/?q=1` }));
    expect(message).toMatch(/^OXY_ROUTES=\(hidden: may hold credentials\): expected an absolute/);
  });
});
