/** The raw records to link, column by column (one array per field), as read from files or generated. */

export interface RawRecord {
  id: string;
  /** 0 for the first input, 1 for the second … (link-only pairs are across sources). */
  source: number;
  firstName: string;
  middleNames: string;
  surname: string;
  /** Used for first name / surname when those are not given. */
  fullName: string;
  /** 8 digits YYYYMMDD, or ''. */
  dob: string;
  sex: string;
  postcode: string;
  address: string;
  town: string;
  nhsNumber: string;
  otherIdentifier: string;
  email: string;
}

export const RAW_FIELDS = ['id', 'firstName', 'middleNames', 'surname', 'fullName', 'dob', 'sex', 'postcode', 'address', 'town', 'nhsNumber', 'otherIdentifier', 'email'] as const;
export type RawField = (typeof RAW_FIELDS)[number];

export interface RecordSet {
  size: number;
  sources: number[];
  columns: Record<RawField, string[]>;
  push(r: RawRecord): void;
  get(i: number): RawRecord;
}

export function emptyRecordSet(): RecordSet {
  const columns = Object.fromEntries(RAW_FIELDS.map((f) => [f, [] as string[]])) as unknown as Record<RawField, string[]>;
  const sources: number[] = [];
  return {
    get size() {
      return sources.length;
    },
    sources,
    columns,
    push(r) {
      for (const f of RAW_FIELDS) columns[f].push(r[f]);
      sources.push(r.source);
    },
    get(i) {
      const r = { source: sources[i]! } as RawRecord;
      for (const f of RAW_FIELDS) r[f] = columns[f][i]!;
      return r;
    },
  };
}

export function recordSetOf(records: readonly RawRecord[]): RecordSet {
  const set = emptyRecordSet();
  for (const r of records) set.push(r);
  return set;
}

/** A record with every field empty but the id, for building records in code. */
export function blankRecord(id: string, source = 0): RawRecord {
  return { id, source, firstName: '', middleNames: '', surname: '', fullName: '', dob: '', sex: '', postcode: '', address: '', town: '', nhsNumber: '', otherIdentifier: '', email: '' };
}
