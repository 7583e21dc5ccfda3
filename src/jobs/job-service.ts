import { PgBoss, type Job, type JobResult } from 'pg-boss';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Actor, AuditContext, AuditEntryInput, AuditService } from '../audit/audit-service.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { jobQueueOptions } from '../db/job-queue.ts';
import { JOB_STATES, type FailedJob, type JobRepository, type JobSchedule, type JobStateName, type JobStatus } from '../repositories/job-repository.ts';

export interface RetryPolicy {
  /** Retries after the first run (0: none). */
  limit: number;
  /** Seconds before a retry; with `backoff`, the first of a doubling series (with jitter). */
  delaySeconds: number;
  backoff: boolean;
  /** The longest a backed-off retry waits, in seconds. */
  maxDelaySeconds?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { limit: 3, delaySeconds: 30, backoff: true, maxDelaySeconds: 3600 };

/** What a job's handler is given besides its payload. */
export interface JobContext {
  readonly jobId: string;
  readonly name: string;
  /** 1 for the first run, 2 for the first retry, and so on. */
  readonly attempt: number;
  /** Who the job acts as in the audit log: `job:<name>`, with no user, organisation or role. */
  readonly actor: Actor;
  /** The audit context of this run; its request id is `job:<job id>`. */
  readonly auditContext: AuditContext;
  /** Aborted when the run times out, when the service stops before it finishes, or when its claim is lost. */
  readonly signal: AbortSignal;
  /**
   * Records an audit entry as this job: the actor, the job's purpose (unless the entry gives its
   * own) and `details.job` (name, id, attempt) are filled in.
   */
  audit(entry: Omit<AuditEntryInput, 'actor' | 'context'>): Promise<void>;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  /** The queue's name: lower-case words joined by hyphens, e.g. `access-review-reminder`. */
  name: string;
  /** Why the job runs, in words an information-governance lead would accept; the purpose of its audit entries. */
  purpose: string;
  /** Checked when a job is sent and again when it runs. */
  payload: S;
  /**
   * `standard` (default): any number of jobs. `exclusive`: at most one job queued or running per
   * singleton key (and one in all for jobs sent without a key), so a chase is never queued twice.
   */
  policy?: 'standard' | 'exclusive';
  retry?: Partial<RetryPolicy>;
  /** The longest one run may take before it fails (and is retried), in seconds. Default 300. */
  timeoutSeconds?: number;
  /** A recurring schedule (cron, in `timeZone`, default Europe/London), registered when the service starts. */
  schedule?: { cron: string; timeZone?: string; payload?: z.input<S> };
  /**
   * Does the work. Personal data is reached only through the services (and so the PolicyGate),
   * as `ctx.actor`. What it returns is kept with the job for a week: counts and ids, never names.
   */
  run(payload: z.output<S>, ctx: JobContext): Promise<Record<string, unknown> | void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Run workers and maintenance (default). False: this process only sends jobs. */
  work?: boolean;
  /** Register the job definitions' schedules and fire them (default, when working). */
  schedule?: boolean;
  /** How often an idle worker asks for a job, in seconds (default 2, at least 0.5). */
  pollingIntervalSeconds?: number;
}

export interface SendOptions {
  /** Not before this time, or this many seconds from now. */
  startAfter?: Date | number;
  /** On an `exclusive` queue: no second job with this key while one is queued or running. */
  singletonKey?: string;
}

export interface JobQueueState {
  /** Every queue, with its jobs counted by state (every state present, zero when none). */
  queues: Array<{ name: string; counts: Record<JobStateName, number> }>;
  /** The most recent jobs that used up their retries, newest first, with the error of their last run. */
  failed: FailedJob[];
  schedules: JobSchedule[];
}

export class JobPayloadError extends Error {
  readonly job: string;
  readonly issues: string[];
  constructor(job: string, issues: string[]) {
    super(`Job "${job}": the payload is not valid: ${issues.join('; ')}`);
    this.name = 'JobPayloadError';
    this.job = job;
    this.issues = issues;
  }
}

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const DEFAULT_TIME_ZONE = 'Europe/London';

/** The audit actor of a job: a named system actor, never a practitioner. */
export function jobActor(name: string): Actor {
  return { userId: null, label: `job:${name}`, organisationId: null, roles: [] };
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
}

/**
 * Background jobs on pg-boss, in the application's own database (decision 0012). Jobs are defined
 * once (name, zod payload, purpose, retries, optional cron schedule); the server starts the service
 * after migrating and stops it before closing the database. Short-lived commands do not start it.
 */
export class JobService {
  readonly #database: DatabaseHandle;
  readonly #audit: AuditService;
  readonly #repository: JobRepository;
  readonly #definitions = new Map<string, JobDefinition>();
  #boss: PgBoss | null = null;
  #starting: Promise<void> | null = null;
  #logger: Logger | undefined;

  constructor(deps: { database: DatabaseHandle; audit: AuditService; jobs: JobRepository }) {
    this.#database = deps.database;
    this.#audit = deps.audit;
    this.#repository = deps.jobs;
  }

  /** Registers a job. Definitions are fixed before the service starts. */
  define<S extends z.ZodType>(definition: JobDefinition<S>): void {
    if (!NAME.test(definition.name)) throw new Error(`Job name "${definition.name}" must be lower-case words joined by hyphens`);
    if (this.#definitions.has(definition.name)) throw new Error(`Job "${definition.name}" is defined twice`);
    if (this.#boss || this.#starting) throw new Error(`Job "${definition.name}" must be defined before the job service starts`);
    if (definition.schedule) {
      const r = definition.payload.safeParse(definition.schedule.payload ?? {});
      if (!r.success) throw new JobPayloadError(definition.name, issuesOf(r.error));
    }
    this.#definitions.set(definition.name, definition as unknown as JobDefinition);
  }

  get running(): boolean {
    return this.#boss !== null;
  }

  /**
   * Starts pg-boss: creates or upgrades its schema, creates each job's queue (and applies changed
   * retry settings), starts a worker per queue (unless `work` is false: send only) and registers
   * the schedules (unless `schedule` is false).
   */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.#boss) return;
    this.#starting ??= this.#start(options).finally(() => {
      this.#starting = null;
    });
    return this.#starting;
  }

  async #start(options: StartOptions): Promise<void> {
    this.#logger = options.logger;
    const work = options.work !== false;
    const schedule = work && options.schedule !== false;
    const boss = new PgBoss({ ...jobQueueOptions(this.#database), schedule, supervise: work });
    boss.on('error', (err) => this.#logger?.error({ err }, 'job queue error'));
    boss.on('warning', (w) => this.#logger?.warn({ warning: w }, 'job queue warning'));
    await boss.start();
    try {
      for (const d of this.#definitions.values()) {
        const retry = { ...DEFAULT_RETRY, ...d.retry };
        const queueOptions = {
          retryLimit: retry.limit,
          retryDelay: retry.delaySeconds,
          retryBackoff: retry.backoff,
          expireInSeconds: d.timeoutSeconds ?? 300,
        };
        // A longest delay means something only with backoff (and pg-boss refuses it otherwise).
        const maxDelay = retry.backoff ? (retry.maxDelaySeconds ?? null) : null;
        await boss.createQueue(d.name, { ...queueOptions, policy: d.policy ?? 'standard', ...(maxDelay !== null ? { retryDelayMax: maxDelay } : {}) });
        await boss.updateQueue(d.name, { ...queueOptions, retryDelayMax: maxDelay });
        const queue = await boss.getQueue(d.name);
        if (queue && queue.policy !== (d.policy ?? 'standard')) {
          throw new Error(`Job "${d.name}": its queue was created with policy "${queue.policy}", not "${d.policy ?? 'standard'}"; a queue's policy cannot change`);
        }
        if (work) {
          await boss.work<unknown>(
            d.name,
            { batchSize: 1, perJobResults: true, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 },
            (jobs: Job<unknown>[]) => Promise.all(jobs.map((job) => this.#run(d, job))),
          );
          if (schedule && d.schedule) {
            await boss.schedule(d.name, d.schedule.cron, d.payload.parse(d.schedule.payload ?? {}) as object, {
              tz: d.schedule.timeZone ?? DEFAULT_TIME_ZONE,
              missed: 'once',
            });
          }
        }
      }
    } catch (err) {
      await boss.stop({ graceful: false, close: false }).catch(() => undefined);
      throw err;
    }
    this.#boss = boss;
  }

  async #run(d: JobDefinition, job: Job<unknown>): Promise<JobResult> {
    const parsed = d.payload.safeParse(job.data ?? {});
    if (!parsed.success) {
      const message = new JobPayloadError(d.name, issuesOf(parsed.error)).message;
      this.#logger?.error({ job: d.name, jobId: job.id }, message);
      // Retrying cannot mend a payload: fail it for good.
      return { id: job.id, status: 'deadletter', output: { name: 'JobPayloadError', message } };
    }
    const attempt = job.retryCount + 1;
    const actor = jobActor(d.name);
    const auditContext: AuditContext = { requestId: `job:${job.id}` };
    const ctx: JobContext = {
      jobId: job.id,
      name: d.name,
      attempt,
      actor,
      auditContext,
      signal: job.signal,
      audit: async (entry) => {
        await this.#audit.record({
          ...entry,
          purpose: entry.purpose ?? d.purpose,
          actor,
          context: auditContext,
          details: { ...(entry.details ?? {}), job: { name: d.name, id: job.id, attempt } },
        });
      },
    };
    try {
      const output = await d.run(parsed.data, ctx);
      return { id: job.id, status: 'completed', output: output ?? {} };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.#logger?.warn({ job: d.name, jobId: job.id, attempt, err: { name: error.name, message: error.message } }, 'job run failed');
      return { id: job.id, status: 'failed', output: { name: error.name, message: error.message } };
    }
  }

  /**
   * Queues a job after checking its payload. Returns its id, or null when an `exclusive` queue
   * already holds a job with the same singleton key (queued or running).
   */
  async send(name: string, payload: unknown, options: SendOptions = {}): Promise<string | null> {
    const d = this.#definitions.get(name);
    if (!d) throw new Error(`No job is defined with the name "${name}"`);
    if (options.singletonKey !== undefined && (d.policy ?? 'standard') !== 'exclusive') {
      throw new Error(`Job "${name}": a singleton key needs a job defined with policy "exclusive"`);
    }
    const parsed = d.payload.safeParse(payload);
    if (!parsed.success) throw new JobPayloadError(name, issuesOf(parsed.error));
    const boss = this.#boss;
    if (!boss) throw new Error(`The job service is not started, so job "${name}" cannot be sent`);
    const startAfter = typeof options.startAfter === 'number' ? new Date(Date.now() + options.startAfter * 1000) : options.startAfter;
    return boss.send(name, parsed.data as object, {
      ...(startAfter ? { startAfter } : {}),
      ...(options.singletonKey !== undefined ? { singletonKey: options.singletonKey } : {}),
    });
  }

  /** One job's state and the output (or error) of its last run; null when there is no such job (or it was deleted after its retention). */
  async status(name: string, id: string): Promise<JobStatus | null> {
    return this.#repository.find(name, id);
  }

  /** The queues' state for the people who run the service: counts by state, recent failures and their errors, schedules. */
  async state(options: { failedLimit?: number } = {}): Promise<JobQueueState> {
    const [counts, failed, schedules] = await Promise.all([
      this.#repository.countsByQueue(),
      this.#repository.failed(options.failedLimit ?? 20),
      this.#repository.schedules(),
    ]);
    const queues = new Map<string, Record<JobStateName, number>>();
    for (const c of counts) {
      const q = queues.get(c.queue) ?? (Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobStateName, number>);
      if (c.state) q[c.state] = c.count;
      queues.set(c.queue, q);
    }
    return { queues: [...queues].map(([name, c]) => ({ name, counts: c })), failed, schedules };
  }

  /**
   * Stops taking jobs, lets running ones finish (for at most `timeoutMs`; any still running then
   * fail and are retried later) and then stops pg-boss. The database stays open.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    await this.#starting?.catch(() => undefined);
    const boss = this.#boss;
    if (!boss) return;
    this.#boss = null;
    await boss.stop({ graceful: true, close: false, timeout: options.timeoutMs ?? 20_000 });
  }
}
