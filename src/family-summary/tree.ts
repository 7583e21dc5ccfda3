/** The family tree's input from the summary's members and their relationships (drawn by src/web/family-tree.ts). */
import type { FamilyRelation } from './assemble.ts';
import type { FamilyMember } from './types.ts';
import type { TreePerson, TreeRelation, TreeRelationType } from '../web/family-tree.ts';

const FORWARD: Record<string, TreeRelationType> = {
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
const BACKWARD: Record<string, TreeRelationType> = {
  child: 'parent',
  step_child: 'step_parent',
  parental_responsibility_for: 'parental_responsibility',
  cared_for: 'carer',
  unborn_child_of: 'unborn_child_of',
};

/** A stored relationship as the family tree draws it: parent-like links always run parent to child (used by the person page too). */
export function treeRelation(subjectId: string, relatedId: string, type: string): TreeRelation | undefined {
  const f = FORWARD[type];
  if (f) return { from: subjectId, to: relatedId, type: f };
  const b = BACKWARD[type];
  if (b) return { from: relatedId, to: subjectId, type: b };
  return undefined;
}

export const treeSex = (s: string | null | undefined): TreePerson['sex'] => (s === 'female' || s === 'male' ? s : s === 'not_specified' ? 'other' : 'unknown');

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
): { people: TreePerson[]; relations: TreeRelation[] } {
  const ids = new Set(members.map((m) => m.subjectId));
  const out = new Map<string, TreeRelation>();
  const pairKey = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);
  const linked = new Set<string>();
  for (const r of relations) {
    if (r.ended || !ids.has(r.subjectId) || !ids.has(r.relatedSubjectId)) continue;
    const rel = treeRelation(r.subjectId, r.relatedSubjectId, r.type);
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
    const p: TreePerson = { id: m.subjectId, name: m.name, sex: treeSex(m.sex), deceased: m.deceased, unborn: m.dobPrecision === 'expected', shielded: m.shielded, isSubject: m.isFocus };
    const b = born(m);
    if (b !== undefined) p.born = b;
    return p;
  });
  return { people, relations: [...out.values()] };
}
