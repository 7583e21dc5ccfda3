import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

type Command = PostgresQueryResult<unknown>['command'];

/**
 * A `pg`-compatible pool over one PGlite instance. PGlite is a single session, so the pool
 * hands its one connection to one borrower at a time: a transaction begun by one request
 * can never interleave with another request's statements. Waiting borrowers queue in order.
 */
export class PGlitePool implements PostgresPool {
  readonly #db: PGlite;
  #busy = false;
  readonly #waiting: Array<() => void> = [];
  #ended = false;

  constructor(db: PGlite) {
    this.#db = db;
  }

  get pglite(): PGlite {
    return this.#db;
  }

  async connect(): Promise<PostgresPoolClient> {
    if (this.#ended) throw new Error('The embedded database has been closed');
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#busy = true;
    return new PGliteClient(this.#db, () => this.#release()) as unknown as PostgresPoolClient;
  }

  /** Runs one statement outside any borrowed connection (waits its turn like everyone else). */
  async query<R>(sql: string, params: readonly unknown[] = []): Promise<PostgresQueryResult<R>> {
    const client = (await this.connect()) as unknown as PGliteClient;
    try {
      return await client.query<R>(sql, params);
    } finally {
      client.release();
    }
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#busy = false;
  }

  async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    await this.#db.close();
  }
}

class PGliteClient {
  readonly #db: PGlite;
  #release: (() => void) | undefined;

  constructor(db: PGlite, release: () => void) {
    this.#db = db;
    this.#release = release;
  }

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<PostgresQueryResult<R>> {
    if (!this.#release) throw new Error('query on a released embedded database connection');
    const result = await this.#db.query<R>(sql, params as unknown[]);
    const r = result as typeof result & { command?: string; rowCount?: number };
    return {
      command: (r.command ?? commandOf(sql)) as Command,
      rowCount: r.rowCount ?? r.affectedRows ?? result.rows.length,
      rows: result.rows,
    };
  }

  release(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}

function commandOf(sql: string): string {
  const m = /^\s*(\w+)/.exec(sql);
  return (m?.[1] ?? '').toUpperCase();
}
