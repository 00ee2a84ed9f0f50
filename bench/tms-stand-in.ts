/**
 * The loopback Tencent Cloud TMS stand-in of the tests (test/helpers/tms-stand-in.ts: it verifies every
 * call's TC3-HMAC-SHA256 signature and answers Pass unless the text holds BLOCKME), run as its own process so
 * its CPU is not the load generator's: `node --import tsx bench/tms-stand-in.ts TOKEN`. It expects the session
 * token TOKEN (BENCH_TMS_TOKEN, bench/servers.ts) on every call, with the test helper's STAND_IN_SECRET_ID and
 * STAND_IN_SECRET_KEY, and prints `{"url":"http://127.0.0.1:N","stats":M}` once ready, where M is the port
 * of a second server answering:
 *
 *   GET /calls   `{"calls":N,"valid":N,"tokenOk":N,"actions":{…},"regions":{…},"failures":{…}}` of the
 *                calls received since the last GET /calls, which resets them: `valid` counts the calls whose
 *                signature verified, `failures` the signature check's error codes; the bench refuses to
 *                report moderated numbers unless every call was signed and addressed correctly
 */
import http from 'node:http';
import { startTmsStandIn, type TmsCall } from '../test/helpers/tms-stand-in';

const token = process.argv[2] ?? '';

function count(map: Record<string, number>, key: string | undefined): void {
  const k = key ?? '(none)';
  map[k] = (map[k] ?? 0) + 1;
}

function summary(calls: TmsCall[]): object {
  const actions: Record<string, number> = {};
  const regions: Record<string, number> = {};
  const failures: Record<string, number> = {};
  for (const call of calls) {
    count(actions, call.action);
    count(regions, call.region);
    if (!call.signatureValid) count(failures, call.authFailure);
  }
  return {
    calls: calls.length,
    valid: calls.filter((c) => c.signatureValid).length,
    tokenOk: calls.filter((c) => c.token === token).length,
    actions,
    regions,
    failures,
  };
}

async function main(): Promise<void> {
  if (token === '') throw new Error('usage: tms-stand-in.ts TOKEN');
  const standIn = await startTmsStandIn({ token });
  const stats = http.createServer((req, res) => {
    req.resume();
    if (req.method !== 'GET' || req.url !== '/calls') {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.stringify(summary(standIn.calls.splice(0)));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    stats.once('error', reject);
    stats.listen(0, '127.0.0.1', resolve);
  });
  const address = stats.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.stdout.write(`${JSON.stringify({ url: standIn.url, stats: address.port })}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`tms-stand-in: ${err.message}\n`);
  process.exit(1);
});
process.on('SIGTERM', () => process.exit(0));
