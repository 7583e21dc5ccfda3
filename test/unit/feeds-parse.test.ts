import { describe, expect, it } from 'vitest';
import { csvRecords, csvRows, FeedFormatError, jsonRows, type SourceRow } from '../../src/feeds/parse.ts';

/** Feeds the text in chunks of `size` bytes, so every boundary case (a quote, CR/LF, a multi-byte character split) is crossed. */
async function* chunks(text: string | Buffer, size: number): AsyncGenerator<Uint8Array> {
  const b = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
async function all<T>(g: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of g) out.push(x);
  return out;
}
const SIZES = [1, 2, 3, 7, 64, 100_000];

describe('csvRecords', () => {
  it('reads quotes, doubled quotes, commas and line breaks inside quotes, CRLF and a BOM, whatever the chunking', async () => {
    const text = '\uFEFFid,name,note\r\n1,"Smith, Jo","said ""hi""\r\nthen left"\r\n2,Ćwik,\r\n3,"",x\n';
    for (const size of SIZES) {
      const recs = await all(csvRecords(chunks(text, size)));
      expect(recs).toEqual([
        { row: 1, values: ['id', 'name', 'note'] },
        { row: 2, values: ['1', 'Smith, Jo', 'said "hi"\r\nthen left'] },
        { row: 4, values: ['2', 'Ćwik', ''] },
        { row: 5, values: ['3', '', 'x'] },
      ]);
    }
  });

  it('keeps row numbers through blank lines, reads a last line without a newline, and a lone CR as a line end', async () => {
    for (const size of SIZES) {
      const recs = await all(csvRecords(chunks('a,b\n\n1,2\r3,4', size)));
      expect(recs).toEqual([
        { row: 1, values: ['a', 'b'] },
        { row: 3, values: ['1', '2'] },
        { row: 4, values: ['3', '4'] },
      ]);
    }
  });

  it('refuses a file that ends inside a quoted field, naming the row it started on', async () => {
    await expect(all(csvRecords(chunks('a,b\n1,"open\n2,3\n', 4)))).rejects.toThrow(/Row 2: the file ends inside a quoted field/);
  });
});

describe('csvRows', () => {
  it('keys fields by the header and reports a row with the wrong number of fields', async () => {
    const rows = await all(csvRows(chunks('id,name\n1,A\n2\n3,C,extra\n', 5)));
    expect(rows).toEqual<SourceRow[]>([
      { row: 2, fields: { id: '1', name: 'A' } },
      { row: 3, problem: { column: null, reason: 'has 1 fields; the header has 2' } },
      { row: 4, problem: { column: null, reason: 'has 3 fields; the header has 2' } },
    ]);
  });
  it('refuses an empty file and a header naming a column twice', async () => {
    await expect(all(csvRows(chunks('', 5)))).rejects.toBeInstanceOf(FeedFormatError);
    await expect(all(csvRows(chunks('id,id\n1,2\n', 5)))).rejects.toThrow(/names the column "id" twice/);
  });
});

describe('jsonRows', () => {
  it('reads an array of objects element by element, with strings holding brackets, quotes and escapes', async () => {
    const text = ' [ {"id": 1, "n": "a]}\\"b", "x": {"y": [1,2]}},\n{"id":"2"} , "str", 12345 ,{"id":3}]  ';
    for (const size of SIZES) {
      const rows = await all(jsonRows(chunks(text, size)));
      expect(rows).toEqual<SourceRow[]>([
        { row: 1, fields: { id: 1, n: 'a]}"b', x: { y: [1, 2] } } },
        { row: 2, fields: { id: '2' } },
        { row: 3, problem: { column: null, reason: 'is not a JSON object' } },
        { row: 4, problem: { column: null, reason: 'is not a JSON object' } },
        { row: 5, fields: { id: 3 } },
      ]);
    }
  });
  it('reads NDJSON line by line, numbering by line and reporting a bad line', async () => {
    for (const size of SIZES) {
      const rows = await all(jsonRows(chunks('{"id":1}\r\n\n{"id":\n{"id":3}', size)));
      expect(rows[0]).toEqual({ row: 1, fields: { id: 1 } });
      expect(rows[1]!.row).toBe(3);
      expect(rows[1]!.problem?.reason).toMatch(/is not valid JSON/);
      expect(rows[2]).toEqual({ row: 4, fields: { id: 3 } });
    }
  });
  it('refuses an array that is never closed, and an empty file', async () => {
    await expect(all(jsonRows(chunks('[{"id":1},{"id":2', 3)))).rejects.toThrow(/ends before the closing \]/);
    await expect(all(jsonRows(chunks('  ', 3)))).rejects.toThrow(/empty/);
  });
});
