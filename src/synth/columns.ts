/**
 * Rows kept column by column, turned into PostgreSQL array literals so that a whole batch of a
 * table is one `insert … select … from unnest($1::text::uuid[], …)` with one text parameter per
 * column: no per-value parameter handling in the driver, and the same SQL on PGlite.
 */

export type ColumnType = 'uuid' | 'text' | 'date' | 'bool' | 'int';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

function quoteText(v: string): string {
  let needs = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 34 || c === 92) {
      needs = true;
      break;
    }
  }
  return needs ? `"${v.replace(/[\\"]/g, '\\$&')}"` : `"${v}"`;
}

export class ColumnBatch {
  readonly table: string;
  readonly specs: readonly ColumnSpec[];
  /** Values already encoded for an array literal (text quoted, NULL for null). */
  readonly columns: string[][];
  readonly #text: boolean[];
  #length = 0;

  constructor(table: string, specs: readonly ColumnSpec[]) {
    this.table = table;
    this.specs = specs;
    this.columns = specs.map(() => []);
    this.#text = specs.map((s) => s.type === 'text');
  }

  get length(): number {
    return this.#length;
  }

  /** Values in the order of `specs`: strings (or booleans for bool columns), null for NULL. */
  push(...values: Array<string | boolean | number | null>): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      this.columns[i]!.push(
        v === null || v === undefined
          ? 'NULL'
          : typeof v === 'string'
            ? this.#text[i]
              ? quoteText(v)
              : v
            : v === true
              ? 't'
              : v === false
                ? 'f'
                : String(v),
      );
    }
    this.#length++;
  }

  /** One array literal per column. */
  literals(): string[] {
    return this.columns.map((col) => `{${col.join(',')}}`);
  }
}

/**
 * `insert into <table> (<columns…>, <constants…>) select … from unnest($n::text::<type>[], …)`.
 * `constants` are SQL expressions (parameters like $1, or literals) added to every row.
 */
export function unnestInsert(
  batch: ColumnBatch,
  firstParam: number,
  constants: Record<string, string> = {},
  suffix = '',
): { sql: string; params: string[] } {
  const cols = batch.specs.map((s) => s.name);
  const unnest = batch.specs.map((s, i) => `$${firstParam + i}::text::${s.type === 'bool' ? 'boolean' : s.type === 'int' ? 'integer' : s.type}[]`);
  const constNames = Object.keys(constants);
  const sql =
    `insert into ${batch.table} (${[...cols, ...constNames].join(', ')}) ` +
    `select ${[...cols.map((c) => `t.${c}`), ...constNames.map((c) => constants[c])].join(', ')} ` +
    `from unnest(${unnest.join(', ')}) as t(${cols.join(', ')})${suffix ? ` ${suffix}` : ''}`;
  return { sql, params: batch.literals() };
}
