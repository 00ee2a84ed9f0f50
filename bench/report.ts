/** Renders a run's results as markdown: the tables printed by the bench and docs/benchmarks.md. */
import {
  CONFIGS,
  OXY_CONFIGS,
  PROXIES,
  UPSTREAM_LABELS,
  UPSTREAM_SHORT,
  ratioTo,
  type LoadSummary,
  type Results,
} from './results';
import { UPSTREAMS, type UpstreamMode } from './servers';
import { round } from './stats';

/** One configuration's load summary on one upstream. */
type Load = (mode: UpstreamMode) => LoadSummary;

function loadRow(label: string, x: LoadSummary): (string | number)[] {
  return [label, x.requestsPerSecond, x.latencyP50Ms, x.latencyP99Ms];
}

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function barChart(title: string, axis: string, labels: string[], values: number[]): string {
  const top = Math.ceil((Math.max(...values, 1) * 1.1) / 10) * 10;
  return [
    '```mermaid',
    'xychart-beta',
    `    title "${title}"`,
    `    x-axis [${labels.map((l) => `"${l}"`).join(', ')}]`,
    `    y-axis "${axis}" 0 --> ${top}`,
    `    bar [${values.join(', ')}]`,
    '```',
  ].join('\n');
}

/**
 * Above this share of CPU time stolen by the hypervisor during the run, the report warns that the timings
 * which are not run again (SSE, WebSocket, cold start) say little.
 */
const STOLEN_WARNING_PERCENT = 2;

/**
 * Above this share of non-stream loads kept with too much stolen (bench/quiet-load.ts), it warns that the
 * load ratios say little: a median of 16 paired rounds shrugs off a few such loads, not many.
 */
const STOLEN_LOADS_WARNING_SHARE = 0.1;

/** The warnings above the targets table, one paragraph each, or ''. */
function stealWarnings(r: Results): string {
  const { loads, aboveLimit, limitPercent, tries } = r.loadSteal;
  const stolen = r.stolenPercent ?? 0;
  const warnings = [
    ...(aboveLimit > loads * STOLEN_LOADS_WARNING_SHARE
      ? [
          `**${aboveLimit} of ${loads} non-stream loads had more than ${limitPercent} % of the CPU stolen even after ${tries} tries: the throughput and p99 ratios say little.**`,
        ]
      : []),
    ...(stolen > STOLEN_WARNING_PERCENT
      ? [
          `**The hypervisor took ${stolen} % of this VM's CPU time during the run: the SSE, WebSocket and cold-start timings, which are not run again, say little.**`,
        ]
      : []),
  ];
  return warnings.map((w) => `${w}\n\n`).join('');
}

export function targetsTable(r: Results): string {
  return (
    stealWarnings(r) +
    table(
      ['Target', 'Measured', 'Result'],
      r.targets.map((t) => [t.name, t.measured, t.pass ? 'PASS' : '**FAIL**']),
    )
  );
}

const UPSTREAM_NOTES: Record<(typeof UPSTREAMS)[number], string> = {
  openai:
    'answers with `content-type`, `content-length`, `date`, `x-request-id`, `openai-processing-ms`, `openai-version`',
  minimal: 'answers with only `content-type` and `content-length`',
};

export function loadSection(r: Results): string {
  const s = r.settings;
  const perUpstream = UPSTREAMS.map((mode) =>
    [
      `${UPSTREAM_LABELS[mode][0]?.toUpperCase()}${UPSTREAM_LABELS[mode].slice(1)} (${UPSTREAM_NOTES[mode]}):`,
      table(
        ['Config', 'Requests/s', 'p50 ms', 'p99 ms'],
        [
          ...CONFIGS.map((c) => loadRow(c, r.load[mode][c])),
          ...(r.engine ? [loadRow('engine (informational)', r.engine[mode])] : []),
        ],
      ),
    ].join('\n\n'),
  );
  const ratioRows = (['bare', 'direct'] as const).flatMap((base) =>
    OXY_CONFIGS.map((c) => [
      `${c} ÷ ${base}`,
      ...UPSTREAMS.flatMap((mode) => {
        const x = r.ratios[mode][c];
        return base === 'bare' ? [x.throughputBare, x.p99Bare] : [x.throughputDirect, x.p99Direct];
      }),
    ]),
  );
  const { engine } = r;
  // Informational: the engine against bare, and oxy's configurations against the engine.
  const ratioRow = (label: string, x: Load, base: Load): (string | number)[] => [
    label,
    ...UPSTREAMS.flatMap((mode) => {
      const { throughput, p99 } = ratioTo(x(mode), base(mode));
      return [throughput, p99];
    }),
  ];
  const engineRows = engine
    ? [
        ratioRow(
          'engine ÷ bare',
          (mode) => engine[mode],
          (mode) => r.load[mode].bare,
        ),
        ...OXY_CONFIGS.map((c) =>
          ratioRow(
            `${c} ÷ engine`,
            (mode) => r.load[mode][c],
            (mode) => engine[mode],
          ),
        ),
      ]
    : [];
  return [
    `### Non-stream chat completions (${s.connections} connections, ${s.loadSeconds} s × ${s.loadRounds} rounds per upstream)`,
    ...perUpstream,
    table(
      [
        'Ratio',
        ...UPSTREAMS.flatMap((mode) => [
          `Throughput, ${UPSTREAM_SHORT[mode]}`,
          `p99 latency, ${UPSTREAM_SHORT[mode]}`,
        ]),
      ],
      [...ratioRows, ...engineRows],
    ),
    "Each ratio is the median of the rounds' ratios, a round's two loads seconds apart; the targets table gives the middle half of those against bare.",
    ...(engine
      ? [
          '"engine" is http-proxy-middleware alone, configured as oxy configures it but with none of its steps (bench/engine-proxy.js), measured in the same rounds and held to no target: engine ÷ bare is what the engine costs, oxy ÷ engine what oxy\'s steps cost on top of it.',
        ]
      : []),
  ].join('\n\n');
}

export function sseSection(r: Pick<Results, 'settings' | 'sse'>): string {
  const s = r.settings;
  return [
    `### Streaming (${s.sseStreams} concurrent SSE streams of ${s.sseChunks} chunks, ${s.sseIntervalMs} ms apart)`,
    'Delay = client read time − upstream send time of each chunk; added = the same minus direct, per round.',
    table(
      ['Config', 'Delay p50 ms', 'Delay p99 ms', 'Added p50 ms', 'Added p99 ms', 'Merged chunks'],
      CONFIGS.map((c) => {
        const x = r.sse[c];
        return [c, x.delayP50Ms, x.delayP99Ms, x.addedP50Ms, x.addedP99Ms, `${x.merged} / ${x.chunks}`];
      }),
    ),
  ].join('\n\n');
}

/** oxy-moderated: SSE and prompt delay, beside oxy's; no targets. */
export function moderatedSection(r: Pick<Results, 'settings' | 'sse' | 'moderated'>): string {
  const { sse, promptDelay: p, tmsCalls } = r.moderated;
  const oxy = r.sse.oxy;
  const sentence = r.settings.sseSentenceTokens;
  return [
    '### Streaming with moderation (informational, no target)',
    `oxy-moderated is the oxy zip with \`OXY_MODERATION=tencent\`, checking text with a loopback TMS stand-in in its own process (bench/tms-stand-in.ts, which verifies every call's TC3 signature and answers Pass; ${tmsCalls} calls over the run, all correctly signed). Same streams as above; they start together, so their sentences end together and each sentence end is a burst of ${r.settings.sseStreams} checks at once. The answer is a ${sentence}-token sentence repeated, so a sentence ends every ${sentence} chunks (${sentence * r.settings.sseIntervalMs} ms): a chunk is held until its sentence has ended (known when the next token arrives) and passed its check, so most of the added delay is the wait for the sentence's end, and a sentence's chunks arrive together (merged chunks are expected here). After sentence end = client read time − upstream send time of the chunk that completed the chunk's sentence: the check (signing, the stand-in's round trip) and the trip through oxy.`,
    table(
      [
        'Config',
        'Delay p50 ms',
        'Delay p99 ms',
        'Added p50 ms',
        'Added p99 ms',
        'After sentence end p50 ms',
        'After sentence end p99 ms',
        'Merged chunks',
      ],
      [
        [
          'oxy',
          oxy.delayP50Ms,
          oxy.delayP99Ms,
          oxy.addedP50Ms,
          oxy.addedP99Ms,
          '–',
          '–',
          `${oxy.merged} / ${oxy.chunks}`,
        ],
        [
          'oxy-moderated',
          sse.delayP50Ms,
          sse.delayP99Ms,
          sse.addedP50Ms,
          sse.addedP99Ms,
          sse.afterSentenceEndP50Ms,
          sse.afterSentenceEndP99Ms,
          `${sse.merged} / ${sse.chunks}`,
        ],
      ],
    ),
    `Prompt check: time to the first byte of a non-stream chat answer, ${p.requests} requests to each, one at a time on a kept-alive connection, alternating between the two; moderation adds ${p.addedP50Ms} ms at the median.`,
    table(
      ['Config', 'First byte p50 ms', 'First byte p99 ms'],
      [
        ['oxy', p.plainP50Ms, p.plainP99Ms],
        ['oxy-moderated', p.moderatedP50Ms, p.moderatedP99Ms],
      ],
    ),
  ].join('\n\n');
}

export function websocketSection(r: Results): string {
  const s = r.settings;
  return [
    `### WebSocket (${s.wsSessions} concurrent sessions of ${s.wsMessages} messages, ${s.wsMessageBytes} bytes each, in lockstep, at most one per ${s.wsIntervalMs} ms)`,
    'Round trip = echo received − message sent, on the client (a relayed message crosses the proxy twice); added = the same minus direct, per round.',
    table(
      ['Config', 'Round trip p50 ms', 'Round trip p99 ms', 'Added p50 ms', 'Added p99 ms', 'Messages'],
      CONFIGS.map((c) => {
        const x = r.websocket[c];
        return [c, x.roundTripP50Ms, x.roundTripP99Ms, x.addedP50Ms, x.addedP99Ms, x.messages];
      }),
    ),
  ].join('\n\n');
}

export function coldStartSection(r: Results): string {
  const { nodeExit, bare, oxy } = r.coldStart;
  const rows: [string, typeof oxy][] = [
    ['`node -e 0` (spawn to exit)', nodeExit],
    ['bare (spawn to first proxied 200)', bare],
    ['oxy via scf_bootstrap (spawn to first proxied 200)', oxy],
    ['oxy-keys via scf_bootstrap (spawn to first proxied 200)', r.coldStart['oxy-keys']],
  ];
  return [
    `### Cold start (median of ${r.settings.coldStartSpawns} spawns)`,
    table(
      ['Process', 'Median ms', 'Min ms', 'Max ms'],
      rows.map(([name, x]) => [name, x.medianMs, x.minMs, x.maxMs]),
    ),
  ].join('\n\n');
}

export function memorySection(r: Results): string {
  const mib = round(r.settings.memoryBodyBytes / 2 ** 20, 0);
  return [
    `### Memory (RSS of the Node process; ${mib} MiB request body streamed to the upstream; median of ${r.settings.memoryRuns})`,
    table(
      ['Proxy', 'Idle RSS MiB', 'Peak RSS MiB', 'Growth MiB'],
      PROXIES.map((p) => [p, r.memory[p].idleMiB, r.memory[p].peakMiB, r.memory[p].growthMiB]),
    ),
  ].join('\n\n');
}

export function logSection(r: Results): string {
  const { microsPerLine, bytesPerLine, lines } = r.logLine;
  return [
    '### Request log',
    `Logging is on in every oxy run above (one line per request, OXY_LOG_LEVEL=info). One line costs ${microsPerLine} µs of CPU and ${bytesPerLine} bytes (mean over ${lines} lines of core/logs/request-log.ts, serialised and written with one write(2) each, bench/log-cost.ts).`,
  ].join('\n\n');
}

export function sizeSection(r: Results): string {
  const { zipBytes, indexBytes, largest } = r.size;
  return [
    '### Size',
    table(
      ['File', 'Bytes'],
      [
        ['oxy-scf zip', zipBytes],
        ['index.js', indexBytes],
      ],
    ),
    `Largest modules in index.js (npm packages grouped):`,
    table(
      ['Module', 'Bytes', 'Share of index.js'],
      largest.map((m) => [`\`${m.name}\``, m.bytes, `${round((m.bytes / indexBytes) * 100, 1)} %`]),
    ),
  ].join('\n\n');
}

/** The tables printed to stdout. */
export function tables(r: Results): string {
  return [
    '### Targets',
    targetsTable(r),
    loadSection(r),
    sseSection(r),
    moderatedSection(r),
    websocketSection(r),
    coldStartSection(r),
    memorySection(r),
    logSection(r),
    sizeSection(r),
  ].join('\n\n');
}

/** docs/benchmarks.md. */
export function document(r: Results): string {
  const m = r.machine;
  const s = r.settings;
  return `# Benchmarks

Generated by \`npm run bench\` (bench/run.ts); rerun it rather than editing this file.

## Machine

- CPU: ${m.cpu}, ${m.cores} cores
- Memory: ${m.memoryGiB} GiB
- Node: ${m.node}
- OS: ${m.os}
- Date: ${m.date}
- Load average (1 min) at start: ${m.loadAverage}
- Run time: ${r.runSeconds} s
- CPU time stolen by the hypervisor during the run: ${r.stolenPercent ?? 'unknown'} % (other guests' share of
  this VM's cores: the more of it, the less a run's timings say)
- Non-stream loads run again because more than ${r.loadSteal.limitPercent} % was stolen during them: ${r.loadSteal.redone} of
  ${r.loadSteal.loads}; kept above ${r.loadSteal.limitPercent} % after ${r.loadSteal.tries} tries: ${r.loadSteal.aboveLimit}

## Method

Everything runs on this machine, over loopback (127.0.0.1), in separate processes: a fake OpenAI upstream
(bench/upstream.ts), the load generator (autocannon and the SSE client, in the bench process), and the
proxy under test; on ${m.cores} cores they compete for CPU, so absolute numbers are lower than on a server and
the ratios between configurations are what the targets use. Four configurations are compared:

- **direct**: the client calls the upstream itself (the physical limit);
- **bare**: a minimal reverse proxy on bare \`node:http\` with a keep-alive agent (bench/bare-proxy.js),
  which relays a WebSocket by piping the two sockets into each other once the upstream's 101 is back;
- **oxy**: the SCF zip built from the current code${s.built === 'dist' ? ' (the existing dist/, not rebuilt)' : ''}, started through its \`scf_bootstrap\`, with no
  settings but its target and port;
- **oxy-keys**: the same zip with \`OXY_PROXY_KEYS\` (one proxy key) and \`OXY_UPSTREAM_KEYS\` (three pool keys):
  oxy checks the client's proxy key and forwards the next pool key, round robin, in its place (the bench
  checks from the upstream's side, on chat requests and on WebSocket upgrades, that every pool key arrives
  and the proxy key never does).

A fifth, **oxy-moderated** (the same zip with \`OXY_MODERATION=tencent\` and SCF-style temporary credentials,
calling a loopback stand-in for Tencent Cloud TMS that runs in its own process and verifies every call's
signature), is measured for streaming and for the delay of the prompt check only, and held to no target.
A sixth, **engine** (http-proxy-middleware's factory and http-proxy's \`web()\` on a plain listener, configured
as oxy configures them but with none of oxy's steps: bench/engine-proxy.js), runs the non-stream loads only, in
the same rounds, and is held to no target: it tells the engine's cost from the cost of oxy's steps.

Every client sends the same \`Authorization: Bearer <proxy key>\`; the fake upstream ignores keys. It answers
in two styles, each on its own port, and the non-stream load runs against both:

- **OpenAI-like**: answers with \`content-type\`, \`content-length\`, \`date\`, and the headers OpenAI adds
  (\`x-request-id\`, \`openai-processing-ms\`, \`openai-version\`);
- **minimal**: answers with only \`content-type\` and \`content-length\` (not even \`date\`), where a proxy's
  fixed per-request cost shows most.

SSE, WebSocket, cold start and memory use the OpenAI-like upstream; memory is measured for bare and oxy only.
Its WebSocket endpoint (\`/v1/realtime\`, the \`ws\` package, no compression) answers every message with
itself. Each of ${s.wsSessions} sessions (opened with the same \`Authorization\`, no \`Origin\`) sends
${s.wsMessageBytes}-byte text messages shaped like a Realtime \`input_audio_buffer.append\` (base64 audio),
one at a time: the next goes ${s.wsIntervalMs} ms after the previous one or as soon as its echo is in,
whichever is later. Every echo is checked to equal the message sent.

SSE and WebSocket run first, in ${s.rounds} interleaved rounds after a few warm-up sessions. The non-stream loads
come after them, after ${s.warmUpSeconds} s of warm-up load for each proxy process: a fresh process runs its first 2 to 3 s
of load at a third to half of its later rate while V8 compiles its hot code, and its first load after SSE and
WebSocket sessions ran at about half the rate of the loads before them. They run in ${s.loadRounds} rounds of ${s.loadSeconds} s
loads: each round measures every configuration once on each upstream, one upstream's configurations back to
back (in an order rotated each round; upstreams alternating). A ratio to bare is the median of the rounds'
ratios, each between two loads seconds apart: on the 2-core VM the bench was built on, the same proxy
process spent from 113 to 228 µs of CPU per request from one 2 s load to its next, so loads far apart in
time compare different machines. Pairing narrows that only in part, so the targets table gives the middle
half of the rounds' ratios beside each median, and the machine section gives the share of CPU time the
hypervisor took for other guests during the run, the largest cause of the noise found there. It takes it in bursts
of a few seconds, so a load during which it took more than ${r.loadSteal.limitPercent} % of the CPU is run again, up to ${r.loadSteal.tries} tries,
and the least-stolen try is kept; which one is kept depends only on \`/proc/stat\`, never on the load's result. Tables show each
configuration's median across rounds. Latency percentiles are taken from every answer's own time in
fractions of a millisecond (autocannon's summary rounds them to whole milliseconds). SSE chunk times
come from one clock shared by all processes (CLOCK_MONOTONIC). Cold start is timed from \`spawn()\` to the
first 200 of a proxied \`GET /v1/models\` (sent with the client key), polled every 2 ms; \`node -e 0\` and the proxies
run without the bench's \`NODE_*\` settings (bench/servers.ts says why). Memory is read from \`/proc/<pid>/status\` of
fresh proxy processes (VmRSS when idle 1 s after start; peak = VmHWM after a reset, and VmRSS sampled
every 20 ms, while the body streams). 1 MiB = 1024 KiB.

## Targets

${targetsTable(r)}

## Results

${loadSection(r)}

${UPSTREAMS.map((mode) =>
  barChart(
    `Non-stream requests/s, ${UPSTREAM_LABELS[mode]} (higher is better)`,
    'requests/s',
    [...CONFIGS],
    CONFIGS.map((c) => r.load[mode][c].requestsPerSecond),
  ),
).join('\n\n')}

${sseSection(r)}

${moderatedSection(r)}

${websocketSection(r)}

${coldStartSection(r)}

${barChart(
  'Cold start ms (lower is better)',
  'ms',
  ['node -e 0', 'bare', 'oxy', 'oxy-keys'],
  [
    r.coldStart.nodeExit.medianMs,
    r.coldStart.bare.medianMs,
    r.coldStart.oxy.medianMs,
    r.coldStart['oxy-keys'].medianMs,
  ],
)}

${memorySection(r)}

${logSection(r)}

${sizeSection(r)}

Raw numbers of every round: [bench/results/latest.json](../bench/results/latest.json).
`;
}
