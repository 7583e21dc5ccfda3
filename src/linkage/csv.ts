/**
 * A small, dependency-free streaming CSV reader for the `link` command and the linkage benchmark.
 *
 * RFC 4180 quoting ("a ""b"", c" → a "b", c; quoted fields may hold commas and line breaks), LF or CRLF
 * line endings, a missing final newline, and FEBRL's leading space after each comma (`trimFields`).
 * The file is read in chunks from a stream, never whole, and rows are yielded one at a time.
 */
import { createReadStream } from 'node:fs';

export class CsvError extends Error {
  readonly file: string;
  readonly row: number;
  constructor(file: string, row: number, message: string) {
    super(`${file}, row ${row}: ${message}`);
    this.name = 'CsvError';
    this.file = file;
    this.row = row;
  }
}

export interface CsvRow {
  /** 1-based row number in the file, the header being row 1. */
  row: number;
  fields: string[];
}

/** Parses CSV text pieces as they arrive; `push` returns the complete rows so far. */
export class CsvParser {
  private field = '';
  private fields: string[] = [];
  private inQuotes = false;
  private quoteSeen = false; // the previous char closed a quote (or is a doubled quote in progress)
  private atFieldStart = true;
  private pendingCr = false;
  private row = 1;
  private readonly trim: boolean;

  constructor(options: { trimFields?: boolean } = {}) {
    this.trim = options.trimFields ?? true;
  }

  push(text: string, out: CsvRow[]): void {
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (this.inQuotes) {
        if (c === 34) {
          if (this.quoteSeen) {
            this.field += '"';
            this.quoteSeen = false;
          } else {
            this.quoteSeen = true;
          }
          continue;
        }
        if (this.quoteSeen) {
          // the quote closed the field
          this.inQuotes = false;
          this.quoteSeen = false;
        } else {
          this.field += text[i];
          continue;
        }
      }
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === 10) continue;
      }
      if (c === 44) {
        this.endField();
      } else if (c === 10 || c === 13) {
        this.endRow(out);
        if (c === 13) this.pendingCr = true;
      } else if (c === 34 && (this.atFieldStart || (this.trim && this.field.trim() === ''))) {
        this.field = '';
        this.inQuotes = true;
        this.atFieldStart = false;
      } else {
        this.field += text[i];
        this.atFieldStart = false;
      }
    }
  }

  /** Completes the last row when the input does not end with a line break. */
  end(out: CsvRow[]): void {
    if (this.inQuotes && !this.quoteSeen) throw new CsvError('input', this.row, 'a quoted field is not closed before the end of the file');
    this.inQuotes = false;
    this.quoteSeen = false;
    if (this.fields.length > 0 || this.field !== '') this.endRow(out);
  }

  private endField(): void {
    this.fields.push(this.trim ? this.field.trim() : this.field);
    this.field = '';
    this.atFieldStart = true;
  }

  private endRow(out: CsvRow[]): void {
    this.endField();
    const fields = this.fields;
    this.fields = [];
    // a blank line is skipped (but still counted)
    if (!(fields.length === 1 && fields[0] === '')) out.push({ row: this.row, fields });
    this.row++;
  }
}

/** Parses a whole CSV text (tests, small inputs). */
export function parseCsv(text: string, options: { trimFields?: boolean } = {}): CsvRow[] {
  const parser = new CsvParser(options);
  const out: CsvRow[] = [];
  parser.push(text, out);
  parser.end(out);
  return out;
}

/** Streams the rows of a CSV file, header first. Errors name the file. */
export async function* readCsvFile(file: string, options: { trimFields?: boolean } = {}): AsyncGenerator<CsvRow> {
  const parser = new CsvParser(options);
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const out: CsvRow[] = [];
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let text = chunk;
      if (first) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // byte-order mark
        first = false;
      }
      parser.push(text, out);
      for (const r of out) yield r;
      out.length = 0;
    }
    parser.end(out);
  } catch (err) {
    if (err instanceof CsvError) throw new CsvError(file, err.row, err.message.replace(/^input, row \d+: /, ''));
    throw err;
  }
  for (const r of out) yield r;
}
