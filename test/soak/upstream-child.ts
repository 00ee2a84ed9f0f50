import { startFaultyUpstream } from './faulty-upstream';
import type { UpstreamOp, UpstreamRecords, UpstreamState } from './upstream-process';

/** The faulty upstream's process (upstream-process.ts): answers the soak's questions about it. */
async function main(): Promise<void> {
  const upstream = await startFaultyUpstream();
  // The soak gone (it exited, or the watchdog fired): nothing is left to serve.
  process.on('disconnect', () => process.exit(0));
  process.on('message', async ({ seq, op }: { seq: number; op: UpstreamOp }) => {
    let reply: UpstreamState | UpstreamRecords | undefined;
    if (op === 'state') reply = { inFlight: upstream.inFlight.size, sockets: upstream.sockets() };
    else if (op === 'records') {
      // Absolute times: the soak compares them with its own.
      reply = [...upstream.records].map(([id, r]): [string, typeof r] => [
        id,
        { ...r, closedAt: r.closedAt === undefined ? undefined : performance.timeOrigin + r.closedAt },
      ]);
    } else if (op === 'clear') upstream.records.clear();
    else await upstream.close();
    process.send!({ seq, reply });
  });
  process.send!({ url: upstream.url });
}

void main();
