/** The machine a run happened on, for the report. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
  /** 1-minute load average when the run started: well above 0 means something else shared the CPU. */
  loadAverage: number;
}

export function describeMachine(date: Date): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: date.toISOString(),
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** The machine's CPU time so far, all cores, in clock ticks: in all, and stolen by the hypervisor. */
export interface CpuTicks {
  total: number;
  steal: number;
}

/** From /proc/stat's `cpu` line; undefined where there is none (not Linux). */
export function cpuTicks(): CpuTicks | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (proc(5))
  const fields = /^cpu +(.*)$/m.exec(stat)?.[1]?.trim().split(/ +/).map(Number) ?? [];
  const times = fields.slice(0, 8);
  if (times.length < 8 || times.some((t) => !Number.isFinite(t))) return undefined;
  return { total: times.reduce((a, b) => a + b, 0), steal: times[7]! };
}

/**
 * Percent of the machine's CPU time the hypervisor gave to other guests between two readings: a VM's
 * neighbours take it without it showing in any load average, and the bench's timings with it.
 */
export function stolenPercent(from: CpuTicks | undefined, to: CpuTicks | undefined): number | undefined {
  if (!from || !to || to.total <= from.total) return undefined;
  return Math.round(((to.steal - from.steal) / (to.total - from.total)) * 1000) / 10;
}
