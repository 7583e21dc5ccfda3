import type { DatabaseHandle } from '../db/database.ts';
import { JOB_SCHEMA } from '../db/job-queue.ts';

/** pg-boss's job states, in the order a job passes through them. */
export const JOB_STATES = ['created', 'retry', 'active', 'completed', 'cancelled', 'failed'] as const;
export type JobStateName = (typeof JOB_STATES)[number];

export interface FailedJob {
  queue: string;
  id: string;
  /** How many runs it had: the first and every retry. */
  attempts: number;
  /** The error of its last run. */
  error: string;
  createdAt: Date;
  failedAt: Date | null;
}

export interface JobStatus {
  state: JobStateName;
  /** Times it was claimed again after an earlier run started. */
  retryCount: number;
  /** What its last run returned, or its error (`{ name, message }`). */
  output: Record<string, unknown> | null;
}

export interface JobSchedule {
  queue: string;
  key: string;
  cron: string;
  timeZone: string;
}

/**
 * Reads the job queue's state from pg-boss's tables (decision 0012: the one place that knows their
 * layout, which the exact pg-boss version pins). Never the job payloads: they may name people.
 */
export class JobRepository {
  readonly #h: DatabaseHandle;

  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  /**
   * Every queue of the application's, with how many of its jobs are in each state (states with none
   * are left out). pg-boss's own queues (`__pgboss__…`, e.g. the one that dispatches schedules) are not shown.
   */
  async countsByQueue(): Promise<Array<{ queue: string; state: JobStateName | null; count: number }>> {
    const rows = await this.#h.query<{ queue: string; state: JobStateName | null; count: number }>(
      `select q.name as queue, j.state::text as state, count(j.id)::int as count
         from ${JOB_SCHEMA}.queue q left join ${JOB_SCHEMA}.job j on j.name = q.name
        where left(q.name, 10) <> '__pgboss__'
        group by q.name, j.state
        order by q.name, j.state`,
    );
    return rows.map((r) => ({ queue: r.queue, state: r.state, count: Number(r.count) }));
  }

  /** The most recently failed jobs (retries used up), newest first; pg-boss's own included, so a schedule that cannot dispatch shows. */
  async failed(limit: number): Promise<FailedJob[]> {
    const rows = await this.#h.query<{ queue: string; id: string; retry_count: number; error: string | null; created_on: Date; completed_on: Date | null }>(
      `select name as queue, id, retry_count,
              coalesce(output->>'message', output->'value'->>'message', output::text) as error,
              created_on, completed_on
         from ${JOB_SCHEMA}.job
        where state = 'failed'
        order by completed_on desc nulls last, created_on desc
        limit $1`,
      [limit],
    );
    return rows.map((r) => ({
      queue: r.queue,
      id: r.id,
      attempts: Number(r.retry_count) + 1,
      error: r.error ?? '(no error recorded)',
      createdAt: new Date(r.created_on),
      failedAt: r.completed_on ? new Date(r.completed_on) : null,
    }));
  }

  /** One job's state, runs so far and the output (or error) of its last run. */
  async find(queue: string, id: string): Promise<JobStatus | null> {
    const rows = await this.#h.query<{ state: JobStateName; retry_count: number; output: Record<string, unknown> | null }>(
      `select state::text as state, retry_count, output from ${JOB_SCHEMA}.job where name = $1 and id = $2`,
      [queue, id],
    );
    const r = rows[0];
    if (!r) return null;
    return { state: r.state, retryCount: Number(r.retry_count), output: r.output };
  }

  async schedules(): Promise<JobSchedule[]> {
    const rows = await this.#h.query<{ name: string; key: string; cron: string; timezone: string | null }>(
      `select name, key, cron, timezone from ${JOB_SCHEMA}.schedule order by name, key`,
    );
    return rows.map((r) => ({ queue: r.name, key: r.key, cron: r.cron, timeZone: r.timezone ?? 'UTC' }));
  }
}
