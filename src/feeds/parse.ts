/**
 * Streaming readers for agency feed files: CSV (RFC 4180 quotes, CRLF or LF, a UTF-8 byte order mark)
 * and JSON (an array of objects, or NDJSON: one object per line). They read chunk by chunk and hold
 * only the row being read, never the whole file. Pure: no I/O of their own.
 */
import { createHash, type Hash } from 'node:crypto';

/** The file itself cannot be read further (not one bad row: the rest of the file). Names the row. */
export class FeedFormatError extends Error {
  readonly row: number;
  constructor(row: number, message: string) {
    super(`Row ${row}: ${message}`);
    this.name = 'FeedFormatError';
    this.row = row;
  }
}

/** One row as sent: its fields by column name, or a problem that makes the row unreadable. */
export type SourceRow =
  | { row: number; fields: Record<string, unknown>; problem?: undefined }
  | { row: number; fields?: undefined; problem: { column: string | null; reason: string } };

/** The longest field (or JSON row) read before deciding the file is broken (an unclosed quote, say). */
export const MAX_ROW_CHARS = 1_000_000;

/** Counts bytes and hashes them as a source is consumed, so progress and the file's SHA-256 come for free. */
export class Meter {
  bytes = 0;
  readonly #hash: Hash = createHash('sha256');
  async *wrap(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      this.bytes += bytes.byteLength;
      this.#hash.update(bytes);
      yield bytes;
    }
  }
  sha256(): string {
    return this.#hash.digest('hex');
  }
}

async function* decode(source: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  for await (const chunk of source) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

/**
 * CSV records as arrays of strings, each with the number of the row it starts on (the header is
 * row 1; a blank line still counts as a row, so numbers match a spreadsheet's unless a quoted field
 * holds a line break). Blank lines are skipped.
 */
export async function* csvRecords(source: AsyncIterable<Uint8Array>): AsyncGenerator<{ row: number; values: string[] }> {
  let values: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current field was quoted (so an empty one is still a field)
  let afterQuote = false; // just saw a quote inside a quoted field: "" or the closing quote
  let pendingCr = false;
  let row = 1; // the row the current record started on
  let line = 1; // the physical line being read
  let first = true;
  const endRecord = function* () {
    values.push(field);
    const blank = values.length === 1 && field === '' && !wasQuoted;
    const rec = { row, values };
    values = [];
    field = '';
    wasQuoted = false;
    if (!blank) yield rec;
  };
  for await (let text of decode(source)) {
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0; // start of the run of plain characters not yet copied into `field`
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (pendingCr) {
        pendingCr = false;
        if (c === LF) {
          start = i + 1;
          continue;
        }
      }
      if (quoted) {
        if (afterQuote) {
          afterQuote = false;
          if (c === QUOTE) {
            // "" inside quotes: one quote; the first was dropped, this one starts the next run.
            start = i;
            continue;
          }
          quoted = false; // that was the closing quote; fall through to handle c unquoted
        } else {
          if (c === QUOTE) {
            field += text.slice(start, i);
            afterQuote = true;
            start = i + 1;
          } else if (c === LF) {
            line++;
          }
          continue;
        }
      }
      if (c === COMMA) {
        field += text.slice(start, i);
        values.push(field);
        field = '';
        wasQuoted = false;
        start = i + 1;
      } else if (c === LF || c === CR) {
        field += text.slice(start, i);
        yield* endRecord();
        line++;
        row = line;
        if (c === CR) pendingCr = true;
        start = i + 1;
      } else if (c === QUOTE && field === '' && start === i && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
        start = i + 1;
      }
      // any other character (including a stray quote mid-field) is kept as it is
    }
    if (start < n) field += text.slice(start);
    if (field.length > MAX_ROW_CHARS) {
      throw new FeedFormatError(row, `a field is longer than ${MAX_ROW_CHARS.toLocaleString('en-GB')} characters; is a closing quote (") missing?`);
    }
  }
  if (quoted && !afterQuote) throw new FeedFormatError(row, 'the file ends inside a quoted field: a closing quote (") is missing');
  if (field !== '' || values.length > 0 || wasQuoted) yield* endRecord();
}

/** CSV rows keyed by the header's column names. A row with the wrong number of fields is a problem row. */
export async function* csvRows(source: AsyncIterable<Uint8Array>): AsyncGenerator<SourceRow> {
  let header: string[] | null = null;
  for await (const { row, values } of csvRecords(source)) {
    if (!header) {
      header = values.map((h) => h.trim());
      const seen = new Set<string>();
      for (const h of header) {
        if (h === '') throw new FeedFormatError(row, 'the header row has an empty column name');
        if (seen.has(h)) throw new FeedFormatError(row, `the header row names the column "${h}" twice`);
        seen.add(h);
      }
      continue;
    }
    if (values.length !== header.length) {
      yield { row, problem: { column: null, reason: `has ${values.length} fields; the header has ${header.length}` } };
      continue;
    }
    const fields: Record<string, unknown> = {};
    for (let i = 0; i < header.length; i++) fields[header[i]!] = values[i];
    yield { row, fields };
  }
  if (!header) throw new FeedFormatError(1, 'the file is empty: it needs a header row naming the columns');
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * JSON rows: either one array of objects (`[{…}, {…}]`, row n is the n-th element) or NDJSON (one
 * object per line, row n is line n; blank lines are skipped). Only the current element is held.
 */
export async function* jsonRows(source: AsyncIterable<Uint8Array>): AsyncGenerator<SourceRow> {
  let mode: 'unknown' | 'array' | 'ndjson' | 'done' = 'unknown';
  let buf = ''; // text of the current element (array) or line (NDJSON)
  let depth = 0;
  let inString = false;
  let escaped = false;
  let stringElement = false;
  let bareValue = false;
  let row = 0;
  let line = 1;
  let expectValue = true; // array: waiting for an element (after [ or ,)
  let sawAny = false;
  const element = (text: string, r: number): SourceRow => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { row: r, problem: { column: null, reason: `is not valid JSON (${(err as Error).message})` } };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { row: r, problem: { column: null, reason: 'is not a JSON object' } };
    }
    return { row: r, fields: value as Record<string, unknown> };
  };
  let first = true;
  for await (let text of decode(source)) {
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (mode === 'unknown') {
        if (WS.has(c)) continue;
        sawAny = true;
        if (c === 0x5b /* [ */) {
          mode = 'array';
          start = i + 1;
          continue;
        }
        mode = 'ndjson';
        start = i;
      }
      if (mode === 'ndjson') {
        if (c === LF) {
          buf += text.slice(start, i);
          const t = buf.trim();
          if (t) yield element(t, line);
          buf = '';
          line++;
          start = i + 1;
        }
        continue;
      }
      if (mode === 'done') {
        if (!WS.has(c)) throw new FeedFormatError(row, 'there is more after the closing ] of the array');
        continue;
      }
      // array mode
      if (depth === 0) {
        if (WS.has(c)) {
          start = i + 1;
          continue;
        }
        if (c === 0x5d /* ] */) {
          if (expectValue && row > 0) throw new FeedFormatError(row, 'a comma is followed by ] with no element');
          mode = 'done';
          continue;
        }
        if (c === 0x2c /* , */) {
          if (expectValue) throw new FeedFormatError(row + 1, 'two commas with no element between them');
          expectValue = true;
          start = i + 1;
          continue;
        }
        if (!expectValue) throw new FeedFormatError(row + 1, 'elements must be separated by commas');
        expectValue = false;
        row++;
        start = i;
        if (c === 0x7b /* { */ || c === 0x5b) depth = 1;
        else if (c === QUOTE) {
          depth = 1;
          inString = true;
          stringElement = true;
        } else {
          // a bare number, true, false or null: read to the next , or ] (perhaps in a later chunk)
          depth = 1;
          bareValue = true;
        }
        continue;
      }
      if (bareValue) {
        if (c !== 0x2c && c !== 0x5d) continue;
        buf += text.slice(start, i);
        yield element(buf.trim(), row);
        buf = '';
        bareValue = false;
        depth = 0;
        start = i;
        i--; // the , or ] is read again at depth 0
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (stringElement) {
            stringElement = false;
            depth = 0;
          }
        }
      } else if (c === QUOTE) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) depth--;
      if (depth === 0) {
        buf += text.slice(start, i + 1);
        yield element(buf, row);
        buf = '';
        start = i + 1;
      }
    }
    if (mode === 'ndjson' || (mode === 'array' && depth > 0)) {
      buf += text.slice(start);
      if (buf.length > MAX_ROW_CHARS) throw new FeedFormatError(mode === 'ndjson' ? line : row, `a row is longer than ${MAX_ROW_CHARS.toLocaleString('en-GB')} characters`);
    }
  }
  const ended = mode as 'unknown' | 'array' | 'ndjson' | 'done';
  if (ended === 'ndjson') {
    const t = buf.trim();
    if (t) yield element(t, line);
  } else if (ended === 'array') {
    throw new FeedFormatError(Math.max(row, 1), 'the file ends before the closing ] of the array');
  } else if (!sawAny) {
    throw new FeedFormatError(1, 'the file is empty');
  }
}
