/** The family tree's input from the summary's members and their relationships (drawn by src/web/family-tree.ts). */
import type { FamilyRelation } from './assemble.ts';
import type { FamilyMember } from './types.ts';

export type TreeSex = 'female' | 'male' | 'unknown' | 'other';
export interface SummaryTreePerson {
  id: string;
  name: string;
  sex: TreeSex;
  born?: string;
  deceased?: boolean;
  unborn?: boolean;
  shielded?: boolean;
  isSubject?: boolean;
}
export interface SummaryTreeRelation {
  from: string;
  to: string;
  type: 'parent' | 'step_parent' | 'parental_responsibility' | 'carer' | 'sibling' | 'half_sibling' | 'partner' | 'household_member' | 'unborn_child_of';
}

const FORWARD: Record<string, SummaryTreeRelation['type']> = {
  parent: 'parent',
  step_parent: 'step_parent',
  parental_responsibility: 'parental_responsibility',
  carer: 'carer',
  expecting: 'unborn_child_of',
  sibling: 'sibling',
  half_sibling: 'half_sibling',
  partner: 'partner',
  household_member: 'household_member',
};
const BACKWARD: Record<string, SummaryTreeRelation['type']> = {
  child: 'parent',
  step_child: 'step_parent',
  parental_responsibility_for: 'parental_responsibility',
  cared_for: 'carer',
  unborn_child_of: 'unborn_child_of',
};

export const treeSex = (s: string): TreeSex => (s === 'female' || s === 'male' ? s : s === 'not_specified' ? 'other' : 'unknown');

/**
 * People and relations for the tree: each relationship is stored from both sides, so each pair is
 * drawn once; ended relationships are left out; everyone living together is linked as a household
 * when no other relation joins them.
 */
export function familyTreeInput(
  members: ReadonlyArray<FamilyMember & { name: string }>,
  relations: readonly FamilyRelation[],
  households: ReadonlyArray<{ subjectId: string; householdId: string }>,
  born: (m: FamilyMember) => string | undefined,
): { people: SummaryTreePerson[]; relations: SummaryTreeRelation[] } {
  const ids = new Set(members.map((m) => m.subjectId));
  const out = new Map<string, SummaryTreeRelation>();
  const pairKey = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);
  const linked = new Set<string>();
  for (const r of relations) {
    if (r.ended || !ids.has(r.subjectId) || !ids.has(r.relatedSubjectId)) continue;
    const f = FORWARD[r.type];
    const b = BACKWARD[r.type];
    const rel: SummaryTreeRelation | undefined = f ? { from: r.subjectId, to: r.relatedSubjectId, type: f } : b ? { from: r.relatedSubjectId, to: r.subjectId, type: b } : undefined;
    if (!rel) continue;
    const key = `${pairKey(rel.from, rel.to)} ${rel.type}`;
    if (!out.has(key)) out.set(key, rel);
    linked.add(pairKey(rel.from, rel.to));
  }
  const byHousehold = new Map<string, string[]>();
  for (const h of households) if (ids.has(h.subjectId)) byHousehold.set(h.householdId, [...new Set([...(byHousehold.get(h.householdId) ?? []), h.subjectId])]);
  for (const people of byHousehold.values()) {
    for (let i = 0; i < people.length; i++) {
      for (let j = i + 1; j < people.length; j++) {
        const key = pairKey(people[i]!, people[j]!);
        if (linked.has(key)) continue;
        linked.add(key);
        out.set(`${key} household_member`, { from: people[i]!, to: people[j]!, type: 'household_member' });
      }
    }
  }
  const people = members.map((m) => {
    const p: SummaryTreePerson = { id: m.subjectId, name: m.name, sex: treeSex(m.sex), deceased: m.deceased, unborn: m.dobPrecision === 'expected', shielded: m.shielded, isSubject: m.isFocus };
    const b = born(m);
    if (b !== undefined) p.born = b;
    return p;
  });
  return { people, relations: [...out.values()] };
}
