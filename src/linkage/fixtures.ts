/**
 * The labelled linkage fixtures in ../shared/fixtures/linkage (beside the checkout; never copied into
 * the repository): their column mappings for the `link` command and how to read their truth labels.
 * Used by the benchmark and the tests only.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../paths.ts';
import { readCsvFile } from './csv.ts';
import type { LinkMapping } from './mapping.ts';

export const LINKAGE_FIXTURES_DIR = path.resolve(projectRoot, '..', 'shared', 'fixtures', 'linkage');

export function linkageFixturesPresent(): boolean {
  return existsSync(path.join(LINKAGE_FIXTURES_DIR, 'fake_1000.csv'));
}

export const FEBRL_MAPPING: LinkMapping = {
  record_id: 'rec_id',
  first_name: 'given_name',
  surname: 'surname',
  date_of_birth: 'date_of_birth',
  date_format: 'YYYYMMDD',
  postcode: 'postcode',
  address_lines: ['street_number', 'address_1', 'address_2'],
  town: 'suburb',
  other_identifier: 'soc_sec_id',
};

export const FAKE_MAPPING: LinkMapping = {
  record_id: 'unique_id',
  first_name: 'first_name',
  surname: 'surname',
  date_of_birth: 'dob',
  date_format: 'YYYY-MM-DD',
  town: 'city',
  email: 'email',
};

export const HISTORICAL_MAPPING: LinkMapping = {
  record_id: 'unique_id',
  first_name: 'first_name',
  surname: 'surname',
  full_name: 'full_name',
  date_of_birth: 'dob',
  date_format: 'YYYY-MM-DD',
  postcode: 'postcode_fake',
  sex: 'gender',
  town: 'birth_place',
};

/** The truth label of every row, from a column (cluster, group) or, for FEBRL, from rec-<N>-…. */
export async function readTruth(file: string, column: string): Promise<string[]> {
  const out: string[] = [];
  let idx = -1;
  for await (const { fields } of readCsvFile(file)) {
    if (idx < 0) {
      idx = fields.indexOf(column);
      if (idx < 0) throw new Error(`${file}: no column ${column}`);
      continue;
    }
    const v = fields[idx] ?? '';
    out.push(column === 'rec_id' ? v.replace(/^(rec-\d+)-.*$/, '$1') : v);
  }
  return out;
}
