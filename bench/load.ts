// How the benchmark loads a server and what it reads while it does: autocannon for the fast rows,
// a closed loop of its own for rows whose latency it subtracts (exact milliseconds, and a window
// that holds exactly the measured requests), and the server's CPU time from the kernel's accounting.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';

export interface LoadSettings {
  connections: number;
  durationS: number;
  /** Unmeasured load first, so no row pays for the JIT warming up or for cold connections. */
  warmupS: number;
}

/**
 * The load every bench applies, from BENCH_CONNECTIONS, BENCH_DURATION and BENCH_WARMUP. Five
 * seconds of warm-up, not one: V8 (and, on PGlite, its WebAssembly tier-up) is still compiling on
 * its own threads after one second, and that one-time cost showed up as CPU per request
 * (bench/README.md, "Warm-up").
 */
export function loadSettingsFromEnv(): LoadSettings {
  return {
    connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
    durationS: Number(process.env.BENCH_DURATION ?? 5),
    warmupS: Number(process.env.BENCH_WARMUP ?? 5),
  };
}

export interface Row {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** The measured server's own CPU per request, when a server pid was given. */
  cpu?: CpuPerRequest;
  /** When the measured load ran, on the monotonic clock (µs) that V8's `--cpu-prof` stamps its samples with. */
  windowUs?: [number, number];
}

export interface CpuPerRequest {
  /** All threads of the server process, per request. */
  ms: number;
  /** The main thread (the event loop) alone. */
  mainMs: number;
  /** Every other thread: V8's background threads, libuv's pool, and on PGlite its worker thread. */
  otherThreadsMs: number;
  /** The same total from utime+stime in /proc/<pid>/stat (clock ticks), as a cross-check. */
  statMs: number;
  requests: number;
}

/** /proc/<pid>/stat counts in clock ticks: 100 per second on Linux, but ask. */
const CLOCK_TICK_NS = 1e9 / (Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100);

/** The process's CPU so far, in nanoseconds. */
export interface CpuSnapshot {
  /** Sum over its live threads of /proc/<pid>/task/<tid>/schedstat's first field: time on a CPU, in ns. */
  threadsNs: number;
  mainNs: number;
  /** utime+stime of /proc/<pid>/stat: every thread, those that exited too, in clock ticks. */
  statNs: number;
}

/**
 * Reads the kernel's accounting of a process. schedstat is the scheduler's own sum of time on a
 * CPU, in nanoseconds; /proc/<pid>/stat has it too, but rounded to 10 ms ticks and per process
 * only, so it serves as the cross-check and the fallback.
 */
export function cpuOf(pid: number): CpuSnapshot {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const statNs = (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_NS;
  let threadsNs = 0;
  let mainNs = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let ns: number;
    try {
      ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      continue; // the thread ended between the listing and the read
    }
    threadsNs += ns;
    if (Number(tid) === pid) mainNs = ns;
  }
  return { threadsNs, mainNs, statNs };
}

export function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number): CpuPerRequest {
  const per = (ns: number) => Math.round((ns / 1e6 / Math.max(requests, 1)) * 1000) / 1000;
  const total = after.threadsNs - before.threadsNs;
  const main = after.mainNs - before.mainNs;
  return {
    ms: per(total),
    mainMs: per(main),
    otherThreadsMs: per(total - main),
    statMs: per(after.statNs - before.statNs),
    requests,
  };
}

export function rssMiB(pid: number | undefined): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kib('VmRSS') / 1024), peak: Math.round(kib('VmHWM') / 1024) };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

function log(row: Row) {
  const cpu = row.cpu ? `, server CPU ${row.cpu.ms} ms/request` : '';
  console.error(
    `  ${row.name}: ${row.requestsPerSecond} req/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, errors ${row.errors}${cpu}`,
  );
}

/**
 * autocannon at the given load, after a warm-up of the same load. `options` is a function when a
 * run keeps state, so each run starts afresh. With `pid`, the server's CPU from the start of the
 * measured load until what it left in flight has finished, per request sent.
 */
export async function autocannonRow(
  name: string,
  settings: LoadSettings,
  options: autocannon.Options | (() => autocannon.Options),
  pid?: number,
): Promise<Row> {
  const fresh = typeof options === 'function' ? options : () => options;
  const { connections } = settings;
  if (settings.warmupS > 0) {
    await autocannon({ connections, duration: settings.warmupS, ...fresh() });
    await sleep(1000);
  }
  const before = pid ? cpuOf(pid) : undefined;
  const startUs = monotonicUs();
  const result = await autocannon({ connections, duration: settings.durationS, ...fresh() });
  // autocannon stops without waiting for the answers in flight; the server still serves them.
  await sleep(300);
  const row: Row = {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    windowUs: [startUs, monotonicUs()],
  };
  if (pid && before) row.cpu = cpuPerRequest(before, cpuOf(pid), result.requests.sent);
  log(row);
  return row;
}

/** One HTTP request over a kept-alive connection; resolves with the status once the body is read. */
export function send(
  agent: http.Agent,
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, method, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * `connections` workers, each repeating `op(worker, round)` back to back (a closed loop, as
 * autocannon runs), for the warm-up and then for the measured duration. A worker starts no
 * operation after the deadline and the row ends when the last one finishes, so the CPU window
 * holds every measured operation and nothing else. Latency is per operation, in exact ms.
 */
export async function closedLoopRow(
  name: string,
  settings: LoadSettings,
  op: (worker: number, round: number) => Promise<boolean>,
  pid?: number,
): Promise<Row> {
  let round = 0;
  const run = async (durationS: number, latencies?: number[]) => {
    const deadline = performance.now() + durationS * 1000;
    let errors = 0;
    await Promise.all(
      Array.from({ length: settings.connections }, async (_, worker) => {
        while (performance.now() < deadline) {
          const started = performance.now();
          let ok = false;
          try {
            ok = await op(worker, round++);
          } catch {
            ok = false;
          }
          if (ok) latencies?.push(performance.now() - started);
          else errors++;
        }
      }),
    );
    return errors;
  };
  if (settings.warmupS > 0) await run(settings.warmupS);
  const latencies: number[] = [];
  const before = pid ? cpuOf(pid) : undefined;
  const startUs = monotonicUs();
  const started = performance.now();
  const errors = await run(settings.durationS, latencies);
  const elapsedS = (performance.now() - started) / 1000;
  const endUs = monotonicUs();
  const after = pid ? cpuOf(pid) : undefined;
  latencies.sort((a, b) => a - b);
  const row: Row = {
    name,
    requestsPerSecond: Math.round(latencies.length / elapsedS),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    errors,
    windowUs: [startUs, endUs],
  };
  if (before && after) row.cpu = cpuPerRequest(before, after, latencies.length + errors);
  log(row);
  return row;
}

/** Nearest-rank percentile of sorted values, to 0.1 ms. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const value = sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
  return Math.round(value * 10) / 10;
}
