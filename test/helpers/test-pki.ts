import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const OPENSSL = '/usr/bin/openssl';

export interface KeyPair {
  cert: string;
  key: string;
}

/** A throwaway certificate authority and server certificates, made for one test file and then removed. */
export interface TestPki {
  /** The CA certificate, PEM, as a file too (NODE_EXTRA_CA_CERTS takes a path). */
  ca: string;
  caFile: string;
  /** Issued by the CA for `localhost`. */
  localhost: KeyPair;
  /** Issued by the CA for another name: trusted, but not for `localhost`. */
  wrongName: KeyPair;
  /** For `localhost`, but issued by a CA nobody trusts. */
  untrusted: KeyPair;
  /** Removes the CA file. */
  remove(): void;
}

/**
 * Makes the PKI with the openssl CLI in a temp folder, reads it into memory and deletes the folder at once:
 * no private key stays on disk, even if the test process is killed (Stryker kills one that times out). Only
 * the CA certificate, public, is written again for NODE_EXTRA_CA_CERTS, and goes with remove() or, at the
 * latest, when the process exits. P-256 keys: fast to make, and accepted by every Node the zips run on.
 * Valid for two days from now: no test outlives that.
 */
export function makeTestPki(): TestPki {
  const made = generate();
  const caDir = mkdtempSync(path.join(tmpdir(), 'oxy-ca-'));
  const remove = (): void => {
    rmSync(caDir, { recursive: true, force: true });
    process.off('exit', remove);
  };
  process.once('exit', remove);
  const caFile = path.join(caDir, 'ca.pem');
  writeFileSync(caFile, made.ca);
  return { ...made, caFile, remove };
}

function generate(): Omit<TestPki, 'caFile' | 'remove'> {
  const dir = mkdtempSync(path.join(tmpdir(), 'oxy-pki-'));
  try {
    const file = (name: string): string => path.join(dir, name);
    const openssl = (...args: string[]): void =>
      void execFileSync(OPENSSL, args, { stdio: 'pipe', cwd: dir });
    const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    const makeCa = (name: string): void =>
      openssl(
        'req',
        '-x509',
        ...newKey,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.pem`,
        '-days',
        '2',
        '-subj',
        `/CN=oxy test ${name}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      );
    const issue = (ca: string, name: string, dns: string): KeyPair => {
      writeFileSync(file(`${name}.ext`), `subjectAltName=DNS:${dns}\nextendedKeyUsage=serverAuth\n`);
      openssl('req', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${dns}`);
      openssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${ca}.pem`,
        '-CAkey',
        `${ca}.key`,
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.pem`,
      );
      return {
        cert: readFileSync(file(`${name}.pem`), 'utf8'),
        key: readFileSync(file(`${name}.key`), 'utf8'),
      };
    };
    makeCa('ca');
    makeCa('rogue-ca');
    return {
      ca: readFileSync(file('ca.pem'), 'utf8'),
      localhost: issue('ca', 'localhost', 'localhost'),
      wrongName: issue('ca', 'wrong-name', 'wrong-name.invalid'),
      untrusted: issue('rogue-ca', 'untrusted', 'localhost'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
