/**
 * Blocking: only pairs of records that agree on at least one blocking rule's key are compared.
 * Each rule gives every record a dense key id (-1 when a part is missing). Pairs are enumerated
 * group by group; a pair already produced by an earlier rule is skipped by comparing the earlier
 * rules' key ids of the two records, so no set of pairs is ever held in memory.
 */
import { C_DOB, C_EMAIL, C_FIRST, C_NHS, C_OTHER, C_POSTCODE, C_SURNAME, C_TOWN } from './compare.ts';
import type { Features } from './features.ts';

export interface BlockingRule {
  name: string;
  /** Comparisons whose fields the rule's key is built from (left out of that rule's EM). */
  uses: readonly number[];
  key(f: Features, i: number): number | null;
  /** A smaller cap on group size for a broad rule (only its rare values are worth expanding). */
  maxGroup?: number;
  /** m is learned (EM) on the pairs of these rules only: specific rules, whose pairs are mostly matches or clearly not. */
  train?: boolean;
}

const initial = (f: Features, id: number) => f.names[id]!.charCodeAt(0);

/** The first of a forename's nickname groups (Bob, Rob and Robert share one), else its sound. */
const nameGroupKey = (f: Features, id: number) => (f.nameGroups[id]!.length > 0 ? 1_000_000 + f.nameGroups[id]![0]! : f.namePhon[id]! + 1);

/** Cap on group size for rules on coarse keys (a sound with a year, an initial with a district …). */
const COARSE = 50;

const year = (f: Features, i: number) => (f.dob[i]! >= 0 ? (f.dob[i]! / 10000) | 0 : -1);

export const BLOCKING_RULES: readonly BlockingRule[] = [
  { name: 'date of birth', uses: [C_DOB], key: (f, i) => (f.dob[i]! >= 0 ? f.dob[i]! : null), train: true },
  {
    name: 'surname sound + year of birth',
    uses: [C_SURNAME, C_DOB],
    key: (f, i) => {
      const s = f.surname[i]!;
      const y = year(f, i);
      return s < 0 || y < 0 || f.namePhon[s]! < 0 ? null : f.namePhon[s]! * 10000 + y;
    },
    maxGroup: COARSE,
  },
  {
    name: 'first name sound + postcode',
    uses: [C_FIRST, C_POSTCODE],
    train: true,
    key: (f, i) => {
      const n = f.first[i]!;
      const p = f.pcFull[i]!;
      return n < 0 || p < 0 || f.namePhon[n]! < 0 ? null : f.namePhon[n]! * 2 ** 24 + p;
    },
  },
  {
    name: 'postcode + first initial',
    uses: [C_POSTCODE, C_FIRST],
    key: (f, i) => {
      const n = f.first[i]!;
      const p = f.pcFull[i]!;
      return n < 0 || p < 0 ? null : p * 65536 + f.names[n]!.charCodeAt(0);
    },
  },
  {
    name: 'first name and surname sounds (either order)',
    uses: [C_FIRST, C_SURNAME],
    train: true,
    key: (f, i) => {
      const n = f.first[i]!;
      const s = f.surname[i]!;
      if (n < 0 || s < 0) return null;
      const a = f.namePhon[n]!;
      const b = f.namePhon[s]!;
      if (a < 0 || b < 0) return null;
      return a < b ? a * 2 ** 24 + b : b * 2 ** 24 + a;
    },
    maxGroup: COARSE,
  },
  {
    name: 'first name sound + year of birth',
    uses: [C_FIRST, C_DOB],
    key: (f, i) => {
      const n = f.first[i]!;
      const y = year(f, i);
      return n < 0 || y < 0 || f.namePhon[n]! < 0 ? null : f.namePhon[n]! * 10000 + y;
    },
    maxGroup: 2 * COARSE,
  },
  {
    name: 'surname sound + town',
    uses: [C_SURNAME, C_TOWN],
    key: (f, i) => {
      const s = f.surname[i]!;
      const t = f.town[i]!;
      return s < 0 || t < 0 || f.namePhon[s]! < 0 ? null : f.namePhon[s]! * 2 ** 24 + t;
    },
    maxGroup: COARSE,
  },
  {
    name: 'first name sound + town',
    uses: [C_FIRST, C_TOWN],
    key: (f, i) => {
      const n = f.first[i]!;
      const t = f.town[i]!;
      return n < 0 || t < 0 || f.namePhon[n]! < 0 ? null : f.namePhon[n]! * 2 ** 24 + t;
    },
    maxGroup: 2 * COARSE,
  },
  {
    name: 'surname (or the only name)',
    uses: [C_SURNAME],
    key: (f, i) => (f.surname[i]! >= 0 ? f.surname[i]! : f.first[i]! >= 0 ? f.first[i]! : null),
    maxGroup: 200,
  },
  { name: 'postcode district', uses: [C_POSTCODE], key: (f, i) => (f.pcDistrict[i]! >= 0 ? f.pcDistrict[i]! : null), maxGroup: 400 },
  { name: 'town', uses: [C_TOWN], key: (f, i) => (f.town[i]! >= 0 ? f.town[i]! : null), maxGroup: 400 },
  {
    name: 'town + year of birth',
    uses: [C_TOWN, C_DOB],
    key: (f, i) => (f.town[i]! < 0 || year(f, i) < 0 ? null : f.town[i]! * 10000 + year(f, i)),
    maxGroup: COARSE,
  },
  {
    name: 'postcode district + first initial',
    uses: [C_POSTCODE, C_FIRST],
    key: (f, i) => (f.pcDistrict[i]! < 0 || f.first[i]! < 0 ? null : f.pcDistrict[i]! * 65536 + initial(f, f.first[i]!)),
    maxGroup: COARSE,
  },
  {
    name: 'postcode district + surname initial',
    uses: [C_POSTCODE, C_SURNAME],
    key: (f, i) => (f.pcDistrict[i]! < 0 || f.surname[i]! < 0 ? null : f.pcDistrict[i]! * 65536 + initial(f, f.surname[i]!)),
    maxGroup: COARSE,
  },
  {
    name: 'town + first initial',
    uses: [C_TOWN, C_FIRST],
    key: (f, i) => (f.town[i]! < 0 || f.first[i]! < 0 ? null : f.town[i]! * 65536 + initial(f, f.first[i]!)),
    maxGroup: COARSE,
  },
  {
    name: 'town + surname initial',
    uses: [C_TOWN, C_SURNAME],
    key: (f, i) => (f.town[i]! < 0 || f.surname[i]! < 0 ? null : f.town[i]! * 65536 + initial(f, f.surname[i]!)),
    maxGroup: COARSE,
  },
  {
    name: 'year and month of birth + first initial',
    uses: [C_DOB, C_FIRST],
    key: (f, i) => (f.dob[i]! < 0 || f.first[i]! < 0 ? null : ((f.dob[i]! / 100) | 0) * 65536 + initial(f, f.first[i]!)),
    maxGroup: COARSE,
  },
  {
    name: 'first name sound',
    uses: [C_FIRST],
    key: (f, i) => (f.first[i]! < 0 || f.namePhon[f.first[i]!]! < 0 ? null : f.namePhon[f.first[i]!]!),
    maxGroup: 200,
  },
  { name: 'first name (or the only name)', uses: [C_FIRST], key: (f, i) => (f.first[i]! >= 0 ? f.first[i]! : null), maxGroup: 2 * COARSE },
  {
    name: 'nickname group of the first name + surname sound',
    uses: [C_FIRST, C_SURNAME],
    key: (f, i) => (f.first[i]! < 0 || f.surname[i]! < 0 || f.namePhon[f.surname[i]!]! < 0 ? null : nameGroupKey(f, f.first[i]!) * 2 ** 22 + f.namePhon[f.surname[i]!]!),
    maxGroup: COARSE,
  },
  {
    name: 'nickname group of the first name + town',
    uses: [C_FIRST, C_TOWN],
    key: (f, i) => (f.first[i]! < 0 || f.town[i]! < 0 ? null : nameGroupKey(f, f.first[i]!) * 2 ** 22 + f.town[i]!),
    maxGroup: 2 * COARSE,
  },
  {
    name: 'nickname group of the first name + year of birth',
    uses: [C_FIRST, C_DOB],
    key: (f, i) => (f.first[i]! < 0 || year(f, i) < 0 ? null : nameGroupKey(f, f.first[i]!) * 2 ** 22 + year(f, i)),
    maxGroup: 2 * COARSE,
  },
  {
    name: 'first three letters of the surname + first initial',
    uses: [C_SURNAME, C_FIRST],
    key: (f, i) => {
      if (f.first[i]! < 0 || f.surname[i]! < 0) return null;
      const s = f.names[f.surname[i]!]!;
      return ((s.charCodeAt(0) * 256 + (s.charCodeAt(1) || 0)) * 256 + (s.charCodeAt(2) || 0)) * 256 + initial(f, f.first[i]!);
    },
    maxGroup: COARSE,
  },
  {
    name: 'surname sound',
    uses: [C_SURNAME],
    key: (f, i) => (f.surname[i]! < 0 || f.namePhon[f.surname[i]!]! < 0 ? null : f.namePhon[f.surname[i]!]!),
    maxGroup: 100,
  },
  {
    name: 'nickname group of the first name + surname initial',
    uses: [C_FIRST, C_SURNAME],
    key: (f, i) => (f.first[i]! < 0 || f.surname[i]! < 0 ? null : nameGroupKey(f, f.first[i]!) * 256 + initial(f, f.surname[i]!)),
    maxGroup: COARSE,
  },
  { name: 'NHS number', uses: [C_NHS], key: (f, i) => (f.nhs[i]! >= 0 ? f.nhs[i]! : null), train: true },
  { name: 'other identifier', uses: [C_OTHER], key: (f, i) => (f.other[i]! >= 0 ? f.other[i]! : null), train: true },
  { name: 'email', uses: [C_EMAIL], key: (f, i) => (f.email[i]! >= 0 ? f.email[i]! : null), train: true },
];

/** A rule's keys as dense ids, and the records grouped by key (CSR: start offsets into `members`). */
export interface RuleIndex {
  rule: BlockingRule;
  keys: Int32Array;
  /** Rule key → dense key id. */
  dense: Map<number, number>;
  groupStart: Int32Array;
  members: Int32Array;
  groups: number;
  /** This rule's cap on group size. Groups larger than the cap are not expanded into pairs (counted, not hidden). */
  maxGroup: number;
  skippedGroups: number;
  skippedRecords: number;
  /** Per record: its key id when its group is expanded into pairs, else -1 (one read per side to test a pair). */
  reach: Int32Array;
}

export function indexRule(f: Features, rule: BlockingRule, globalMaxGroup: number): RuleIndex {
  const n = f.n;
  const maxGroup = Math.min(rule.maxGroup ?? globalMaxGroup, globalMaxGroup);
  const keys = new Int32Array(n);
  const dense = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const k = rule.key(f, i);
    if (k === null) {
      keys[i] = -1;
      continue;
    }
    let d = dense.get(k);
    if (d === undefined) {
      d = dense.size;
      dense.set(k, d);
    }
    keys[i] = d;
  }
  const groups = dense.size;
  const counts = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) if (keys[i]! >= 0) counts[keys[i]! + 1]!++;
  for (let g = 0; g < groups; g++) counts[g + 1]! += counts[g]!;
  const groupStart = counts.slice();
  const fill = counts.slice(0, groups);
  const members = new Int32Array(counts[groups]!);
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    if (k >= 0) members[fill[k]!++] = i;
  }
  let skippedGroups = 0;
  let skippedRecords = 0;
  for (let g = 0; g < groups; g++) {
    const size = groupStart[g + 1]! - groupStart[g]!;
    if (size > maxGroup) {
      skippedGroups++;
      skippedRecords += size;
    }
  }
  const reach = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    reach[i] = k >= 0 && groupStart[k + 1]! - groupStart[k]! <= maxGroup ? k : -1;
  }
  return { rule, keys, dense, maxGroup, groupStart, members, groups, skippedGroups, skippedRecords, reach };
}

/** Whether rule index r puts records i and j in one group that is expanded into pairs. */
export function ruleReaches(r: RuleIndex, i: number, j: number): boolean {
  const k = r.reach[i]!;
  return k >= 0 && k === r.reach[j];
}

/** Bit mask of the rules (among `rules`, at most 31) that reach the pair. */
export function sharedRules(rules: readonly RuleIndex[], i: number, j: number): number {
  let mask = 0;
  for (let r = 0; r < rules.length && r < 31; r++) if (ruleReaches(rules[r]!, i, j)) mask |= 1 << r;
  return mask;
}

/**
 * Calls `visit(i, j, mask)` once for each candidate pair (i < j by position in the group), where
 * `mask` has a bit for every rule the pair shares (0 with `mask: false`, for callers that ignore it). Only groups g with g % parts === part are expanded
 * (for splitting the work between threads); `sampleEvery` > 1 keeps one group in that many.
 * `linkOnly` skips pairs from the same source.
 */
export function forEachCandidate(
  rules: readonly RuleIndex[],
  source: Int32Array,
  linkOnly: boolean,
  visit: (i: number, j: number, mask: number) => void,
  options: { part?: number; parts?: number; sampleEvery?: number; mask?: boolean } = {},
): void {
  const part = options.part ?? 0;
  const parts = options.parts ?? 1;
  const every = options.sampleEvery ?? 1;
  const withMask = options.mask ?? true;
  const reaches = rules.map((x) => x.reach);
  for (let r = 0; r < rules.length; r++) {
    const { groupStart, members, groups, maxGroup } = rules[r]!;
    for (let g = 0; g < groups; g++) {
      if (g % parts !== part) continue;
      if (every > 1 && ((g * 2654435761) >>> 0) % every !== 0) continue;
      const s = groupStart[g]!;
      const e = groupStart[g + 1]!;
      if (e - s < 2 || e - s > maxGroup) continue;
      for (let a = s; a < e; a++) {
        const i = members[a]!;
        for (let b = a + 1; b < e; b++) {
          const j = members[b]!;
          if (linkOnly && source[i] === source[j]) continue;
          // produced by an earlier rule already?
          let earlier = false;
          for (let q = 0; q < r; q++) {
            const reach = reaches[q]!;
            const k = reach[i]!;
            if (k >= 0 && k === reach[j]) {
              earlier = true;
              break;
            }
          }
          if (earlier) continue;
          visit(i, j, withMask ? sharedRules(rules, i, j) : 0);
        }
      }
    }
  }
}

/** Number of candidate pairs the rules produce (after removing repeats), without comparing them. */
export function countCandidates(rules: readonly RuleIndex[], source: Int32Array, linkOnly: boolean): number {
  let n = 0;
  forEachCandidate(rules, source, linkOnly, () => n++, { mask: false });
  return n;
}
