import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stopChild } from './child-process';

const IP = '/usr/sbin/ip';
/** 64 slots of a /30 each in 10.123.45.0/24; parallel runs (jest workers, Stryker) each claim their own. */
const SLOTS = 64;

/**
 * A network namespace of our own, joined to this one by a veth pair and nothing else: the test client sits
 * in it at `peerAddress` and reaches this namespace only at `hostAddress`, a non-loopback address of this
 * machine. No route leads anywhere else.
 */
export interface Netns {
  name: string;
  hostAddress: string;
  peerAddress: string;
  /** Runs `node -e script ...args` inside the namespace; killed (and waited for) after `ms`. */
  node(
    script: string,
    args: string[],
    ms?: number,
  ): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Deletes the namespace, which deletes the veth pair with it. Safe to call twice. */
  remove(): void;
}

/** Why this machine cannot make one (not root, no `ip`), or undefined when it can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync(IP)) return `no ${IP}`;
  return undefined;
}

const ip = (...args: string[]): void => void execFileSync(IP, args, { stdio: 'pipe' });

/** Claims a free slot (`ip netns add` fails on a name in use, so a claim is atomic) and wires it up. */
export function createNetns(): Netns {
  for (let slot = 0; slot < SLOTS; slot++) {
    const name = `oxy-test-${slot}`;
    try {
      ip('netns', 'add', name);
    } catch {
      continue; // another run holds it, or a killed one left it behind
    }
    const remove = (): void => {
      try {
        ip('netns', 'delete', name);
      } catch {
        // already gone
      }
    };
    try {
      return wire(slot, name, remove);
    } catch (err) {
      remove();
      throw err;
    }
  }
  throw new Error(`no free network namespace slot among oxy-test-0..${SLOTS - 1}`);
}

function wire(slot: number, name: string, remove: () => void): Netns {
  const [hostIf, peerIf] = [`oxyt${slot}h`, `oxyt${slot}p`];
  const hostAddress = `10.123.45.${slot * 4 + 1}`;
  const peerAddress = `10.123.45.${slot * 4 + 2}`;
  try {
    ip('link', 'delete', hostIf); // left by a run killed half-way through wiring this slot
  } catch {
    // none: the usual case
  }
  ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', peerIf);
  ip('link', 'set', peerIf, 'netns', name);
  ip('address', 'add', `${hostAddress}/30`, 'dev', hostIf);
  ip('link', 'set', hostIf, 'up');
  ip('netns', 'exec', name, IP, 'address', 'add', `${peerAddress}/30`, 'dev', peerIf);
  ip('netns', 'exec', name, IP, 'link', 'set', peerIf, 'up');
  return {
    name,
    hostAddress,
    peerAddress,
    node: (script, args, ms = 10_000) =>
      new Promise((resolve, reject) => {
        const child = spawn(IP, ['netns', 'exec', name, process.execPath, '-e', script, ...args], {
          env: { PATH: '/usr/bin:/bin' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c) => (stdout += c));
        child.stderr.on('data', (c) => (stderr += c));
        const timer = setTimeout(() => void stopChild(child, 'SIGKILL'), ms);
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      }),
    remove,
  };
}

/** A script for `Netns.node`: GETs argv[1] and prints `{status, body}` as JSON, or exits 1 on an error. */
export const HTTP_GET = `
const req = require('node:http').get(process.argv[1], { timeout: 5000 }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (c) => (body += c));
  res.on('end', () => console.log(JSON.stringify({ status: res.statusCode, body })));
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (e) => { console.error(e.code || e.message); process.exit(1); });
`;
