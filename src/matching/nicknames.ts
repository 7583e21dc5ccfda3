/**
 * Nicknames, diminutives and variant spellings of forenames: "is Bob the same name as Robert?".
 *
 * Names are grouped under a canonical name (Robert: Bob, Bobby, Rob, Robbie …). A name may belong to several
 * groups (Sam: Samuel and Samantha); two names are forms of the same name when they share a group.
 *
 * Sources, merged into one lookup built lazily on first use:
 *  1. the built-in UK table (`uk-diminutives.ts`), always — so matching works in production and in a fresh
 *     clone, where ../shared does not exist;
 *  2. the carltonnorthern/nicknames CSV (Apache-2.0, rows `canonical,has_nickname,nickname`) at
 *     ../shared/fixtures/linkage/nicknames_carltonnorthern.csv beside the project, if that file exists.
 * Because (2) is optional, behaviour can differ slightly between a developer machine and production;
 * tests that must hold everywhere should use `createNicknameIndex({ csvPath: null })`.
 */

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../paths.ts';
import { nameKey } from './strings.ts';
import { parseDiminutives, UK_DIMINUTIVES_TEXT } from './uk-diminutives.ts';

export const DEFAULT_NICKNAME_CSV_PATH = path.resolve(
  projectRoot,
  '..',
  'shared',
  'fixtures',
  'linkage',
  'nicknames_carltonnorthern.csv',
);

export interface NicknameIndexOptions {
  /** Include the built-in UK table. Default true. */
  builtIn?: boolean;
  /** CSV file to merge if it exists; null for none. Default DEFAULT_NICKNAME_CSV_PATH. */
  csvPath?: string | null;
  /** CSV content to merge (same format), e.g. from configuration. */
  csvText?: string;
}

export interface NicknameIndex {
  /** Group keys (canonical names, lower case) for a name key as produced by `nameKey`. */
  groupsOfKey(key: string): ReadonlySet<string>;
  /** The name keys in a group (the canonical name among them). */
  namesInGroup(group: string): ReadonlySet<string>;
  /** True for a group defined by the built-in UK table (preferred when naming a group to a practitioner). */
  isBuiltInGroup(group: string): boolean;
  /** Number of distinct names known. */
  readonly size: number;
  /** Where the data came from: for diagnostics and the "about matching" page. */
  readonly sources: { builtIn: boolean; csvPath: string | null; csvPairs: number };
}

const EMPTY: ReadonlySet<string> = new Set<string>();

/**
 * Parses the carltonnorthern format: header `name1,relationship,name2`, rows `canonical,has_nickname,nickname`.
 * Rows with another relationship, or blank names, are skipped. Names are returned as `nameKey` keys.
 */
export function parseNicknameCsv(text: string): Array<[canonical: string, nickname: string]> {
  const pairs: Array<[string, string]> = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const cols = line.split(',');
    if (cols.length < 3) continue;
    const rel = cols[1]!.trim().toLowerCase();
    if (i === 0 && rel === 'relationship') continue; // header
    if (rel !== 'has_nickname') continue;
    const canonical = nameKey(cols[0]!);
    const nickname = nameKey(cols[2]!);
    if (canonical === '' || nickname === '') continue;
    pairs.push([canonical, nickname]);
  }
  return pairs;
}

/** Builds a lookup from the built-in table and (optionally) a CSV. */
export function createNicknameIndex(options: NicknameIndexOptions = {}): NicknameIndex {
  const map = new Map<string, Set<string>>();
  const members = new Map<string, Set<string>>();
  const add = (name: string, group: string): void => {
    let groups = map.get(name);
    if (!groups) {
      groups = new Set<string>();
      map.set(name, groups);
    }
    groups.add(group);
    let names = members.get(group);
    if (!names) {
      names = new Set<string>();
      members.set(group, names);
    }
    names.add(name);
  };

  const builtIn = options.builtIn ?? true;
  const builtInGroups = new Set<string>();
  if (builtIn) {
    for (const [canonical, variants] of parseDiminutives(UK_DIMINUTIVES_TEXT)) {
      const group = nameKey(canonical);
      builtInGroups.add(group);
      add(group, group);
      for (const v of variants) add(nameKey(v), group);
    }
  }

  let csvPairs = 0;
  let csvPath: string | null = null;
  const mergeCsv = (text: string): void => {
    for (const [canonical, nickname] of parseNicknameCsv(text)) {
      add(canonical, canonical);
      add(nickname, canonical);
      csvPairs++;
    }
  };
  const requested = options.csvPath === undefined ? DEFAULT_NICKNAME_CSV_PATH : options.csvPath;
  if (requested !== null && existsSync(requested)) {
    try {
      mergeCsv(readFileSync(requested, 'utf8'));
      csvPath = requested;
    } catch {
      // Unreadable optional data: carry on with the built-in table.
    }
  }
  if (options.csvText !== undefined) mergeCsv(options.csvText);

  return {
    groupsOfKey: (key) => map.get(key) ?? EMPTY,
    namesInGroup: (group) => members.get(group) ?? EMPTY,
    isBuiltInGroup: (group) => builtInGroups.has(group),
    size: map.size,
    sources: { builtIn, csvPath, csvPairs },
  };
}

let defaultIndex: NicknameIndex | null = null;
let defaultOptions: NicknameIndexOptions = {};

/** The shared lookup, built on first use. */
export function nicknameIndex(): NicknameIndex {
  defaultIndex ??= createNicknameIndex(defaultOptions);
  return defaultIndex;
}

/** Changes where the shared lookup gets its data (it is rebuilt lazily on next use). */
export function configureNicknames(options: NicknameIndexOptions): void {
  defaultOptions = options;
  defaultIndex = null;
}

/**
 * The canonical groups a forename belongs to, as lower-case keys: nameGroups("Bob") has "robert";
 * nameGroups("Sam") has "samuel" and "samantha"; a name not in the table has none.
 * The returned set is shared: do not modify it.
 */
export function nameGroups(name: string): ReadonlySet<string> {
  return nicknameIndex().groupsOfKey(nameKey(name));
}

/** Like `nameGroups`, for a key already produced by `nameKey` (no normalisation: for hot loops). */
export function nameGroupsForKey(key: string): ReadonlySet<string> {
  return nicknameIndex().groupsOfKey(key);
}

/**
 * Every form of a forename key: the key itself and every name sharing a group with it
 * ("bob" → robert, rob, bobby, robbie …), as name keys. For finding candidates by first name.
 */
export function nameVariantsForKey(key: string): string[] {
  const index = nicknameIndex();
  const out = new Set<string>([key]);
  for (const g of index.groupsOfKey(key)) for (const n of index.namesInGroup(g)) out.add(n);
  return [...out];
}

/** The groups two name keys share, in alphabetical order (empty when none). */
export function sharedGroupsForKeys(a: string, b: string): string[] {
  const ga = nicknameIndex().groupsOfKey(a);
  if (ga.size === 0) return [];
  const gb = nicknameIndex().groupsOfKey(b);
  if (gb.size === 0) return [];
  const out: string[] = [];
  const [small, large] = ga.size <= gb.size ? [ga, gb] : [gb, ga];
  for (const g of small) if (large.has(g)) out.push(g);
  return out.sort();
}

/**
 * The group to name when telling a practitioner why two name keys match: a built-in group before one
 * from the CSV (whose rows run both ways, e.g. "bob has nickname robert"), and one of the two names
 * itself when it is a group (so Bob / Robert reads "Bob is a form of Robert"). Null when they share none.
 */
export function preferredSharedGroup(a: string, b: string): string | null {
  const shared = sharedGroupsForKeys(a, b);
  if (shared.length === 0) return null;
  const index = nicknameIndex();
  const builtIn = shared.filter((g) => index.isBuiltInGroup(g));
  const pool = builtIn.length > 0 ? builtIn : shared;
  if (pool.includes(b)) return b;
  if (pool.includes(a)) return a;
  return pool[0]!;
}

/** True when two name keys are forms of the same name (share a group). Allocation-free. */
export function areNicknameKeys(a: string, b: string): boolean {
  if (a === '' || b === '') return false;
  if (a === b) return true;
  const ga = nicknameIndex().groupsOfKey(a);
  if (ga.size === 0) return false;
  const gb = nicknameIndex().groupsOfKey(b);
  if (gb.size === 0) return false;
  if (ga.size <= gb.size) {
    for (const g of ga) if (gb.has(g)) return true;
  } else {
    for (const g of gb) if (ga.has(g)) return true;
  }
  return false;
}

/**
 * True when two forenames are recorded as forms of the same name: areNicknames("Bob", "Robert"),
 * areNicknames("Bob", "Rob") (both Robert). A name is trivially a form of itself. Samuel and Samantha
 * are not (they only share the nickname Sam).
 */
export function areNicknames(a: string, b: string): boolean {
  return areNicknameKeys(nameKey(a), nameKey(b));
}
