/**
 * The load generator shared by the benchmark suites: one autocannon burst in a worker thread, so
 * that it has its own event loop and does not queue behind the app under test. This file is both
 * the library (main thread: `runLoad`) and the worker's entry point (worker thread).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import { median, percentiles, postgresCpuMs, processCpuMs, round3, type Percentiles } from './run.ts';

/** A request to send: a path on the base URL and its headers (a cookie, a bearer token). */
export interface LoadTarget {
  path: string;
  headers?: Record<string, string>;
}

export interface LoadJob {
  base: string;
  /** Sent in turn, one request each, cycling; one target is sent as it is. */
  targets: LoadTarget[];
  connections: number;
  durationS: number;
  /**
   * Pick each request's target in autocannon's `setupRequest` even when there is only one, so
   * that a suite mixing one-target and many-target endpoints costs the load generator the same
   * per request for each.
   */
  setupEachRequest?: boolean;
}

export interface LoadResult {
  responses: number;
  durationS: number;
  rps: number;
  latencyMs: Percentiles;
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU time the load generator's own thread used during the burst, ms. */
  loadGeneratorCpuMs: number;
}

/** Runs one autocannon burst and keeps every response time (ms, sub-millisecond precision). */
async function generateLoad(job: LoadJob): Promise<LoadResult> {
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const cpuBefore = process.threadCpuUsage();
  const [only] = job.targets.length === 1 && !job.setupEachRequest ? job.targets : [];
  let next = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: only ? job.base + only.path : job.base,
        ...(only ? { headers: only.headers ?? {} } : {}),
        connections: job.connections,
        duration: job.durationS,
        timeout: 10,
        ...(only
          ? {}
          : {
              requests: [
                {
                  setupRequest: (req: autocannon.Request) => {
                    const t = job.targets[next++ % job.targets.length]!;
                    return { ...req, path: t.path, headers: t.headers ?? {} };
                  },
                },
              ],
            }),
      },
      (err: unknown, r: autocannon.Result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(r)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    });
  });
  const cpu = process.threadCpuUsage(cpuBefore);
  const non2xx = Object.entries(statusCodes).reduce((n, [code, count]) => (code.startsWith('2') ? n : n + count), 0);
  return {
    responses: latencies.length,
    durationS: result.duration,
    rps: Math.round((latencies.length / result.duration) * 10) / 10,
    latencyMs: percentiles(latencies),
    statusCodes,
    non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    loadGeneratorCpuMs: Math.round((cpu.user + cpu.system) / 1000),
  };
}

/** One burst from a new worker thread. */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { benchLoadJob: job } });
    let answered = false;
    worker.once('message', (m: { ok: true; result: LoadResult } | { ok: false; error: string }) => {
      answered = true;
      if (m.ok) resolve(m.result);
      else reject(new Error(m.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`load worker exited with code ${code} without a result`));
    });
  });
}

export interface MeasuredLoadResult extends LoadResult {
  /** CPU time of this process but the load generator's thread (the app, in these suites), ms. */
  appCpuMs: number;
  /** CPU time of every postgres process on the machine meanwhile (null if unreadable), ms. */
  postgresCpuMs: number | null;
}

/**
 * One burst, with the CPU time the app, the load generator and PostgreSQL used meanwhile.
 * `postgres: false` (the embedded database, inside the app) leaves PostgreSQL's out.
 */
export async function runMeasuredLoad(job: LoadJob, options: { postgres: boolean }): Promise<MeasuredLoadResult> {
  const pgCpu = () => (options.postgres ? postgresCpuMs() : null);
  const [cpu0, pg0] = [processCpuMs(), pgCpu()];
  const r = await runLoad(job);
  const [cpu1, pg1] = [processCpuMs(), pgCpu()];
  return { ...r, appCpuMs: Math.round(cpu1 - cpu0 - r.loadGeneratorCpuMs), postgresCpuMs: pg0 === null || pg1 === null ? null : Math.round(pg1 - pg0) };
}

/** CPU ms per response, the median over rounds: the app, the load generator and PostgreSQL. */
export function cpuPerRequest(rs: readonly MeasuredLoadResult[]): { app: number; loadGenerator: number; postgres: number | null } {
  const per = (f: (r: MeasuredLoadResult) => number | null) => {
    const xs = rs.map((r) => f(r)).filter((x): x is number => x !== null);
    return xs.length === rs.length && xs.length > 0 ? round3(median(xs)) : null;
  };
  return {
    app: per((r) => r.appCpuMs / r.responses) ?? NaN,
    loadGenerator: per((r) => r.loadGeneratorCpuMs / r.responses) ?? NaN,
    postgres: per((r) => (r.postgresCpuMs === null ? null : r.postgresCpuMs / r.responses)),
  };
}

/** Any response other than 2xx, any error or timeout, or no response at all makes the figures meaningless. */
export function assertClean(name: string, r: LoadResult): void {
  if (r.non2xx || r.errors || r.timeouts || r.responses === 0) {
    throw new Error(
      `${name}: ${r.responses} responses, ${r.non2xx} not 2xx (${JSON.stringify(r.statusCodes)}), ` +
        `${r.errors} errors, ${r.timeouts} timeouts: the figures would be meaningless`,
    );
  }
}

const job = isMainThread ? undefined : (workerData as { benchLoadJob?: LoadJob } | null)?.benchLoadJob;
if (job && parentPort) {
  try {
    parentPort.postMessage({ ok: true, result: await generateLoad(job) });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
}
