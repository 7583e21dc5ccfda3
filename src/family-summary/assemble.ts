/**
 * Assembles a family summary from what the repository read and what the policy decided: pure, no
 * I/O, no clock. Each record is shown only where the viewer's SummaryAccess (decide() narrowed by the
 * purpose profile) opens it; every record not shown is counted against the agency holding it, so the
 * summary names who holds more and how to ask them ("never silently missing"). Records of an
 * organisation whose every involvement with the person is hidden from the viewer (a sensitive service
 * without consent) are left out altogether, as the person page leaves out the involvement itself.
 */
import type { DataCategory } from '../policy/access-policy.ts';
import { isAntiSocialBehaviour, type SummaryAccess } from '../policy/family-summary.ts';
import { ageOn } from '../sharing/rules.ts';
import { deriveStatuses } from './statuses.ts';
import type { ChronologyEntry, ChronologyMark, FamilyMember, HeldByNotice, KeyStatus, RecordItem } from './types.ts';
import { inWindow, type SummaryWindow } from './window.ts';

export interface PractitionerInvolvement {
  id: string;
  subjectId: string;
  organisationId: string;
  organisationName: string;
  category: DataCategory;
  roleLabel: string;
  serviceName: string | null;
  teamName: string | null;
  teamEmail: string | null;
  teamPhone: string | null;
  practitionerName: string | null;
  practitionerEmail: string | null;
  practitionerPhone: string | null;
  startDate: string;
  endDate: string | null;
}

export interface FamilyRelation {
  subjectId: string;
  relatedSubjectId: string;
  type: string;
  fromDate: string | null;
  ended: boolean;
}

export interface AssemblyInput {
  members: readonly FamilyMember[];
  access: ReadonlyMap<string, SummaryAccess>;
  items: readonly RecordItem[];
  marks: readonly ChronologyMark[];
  involvements: readonly PractitionerInvolvement[];
  relations: readonly FamilyRelation[];
  /** Current household memberships: who lives with whom, since when. */
  householdJoins: ReadonlyArray<{ subjectId: string; fromDate: string | null }>;
  window: SummaryWindow;
  /** How long someone counts as newly recorded or newly arrived. */
  newDays?: number;
}

export interface Practitioner {
  subjectId: string;
  memberName: string;
  organisationName: string;
  role: string;
  name: string | null;
  team: string | null;
  email: string | null;
  phone: string | null;
  current: boolean;
  startDate: string;
  endDate: string | null;
}

export interface AgencyActivity {
  subjectId: string;
  memberName: string;
  organisationId: string;
  organisationName: string;
  category: DataCategory;
  involvements: number;
  contacts: number;
  events: number;
  notes: number;
  latest: string;
}

export interface AdultHistory {
  subjectId: string;
  name: string;
  /** This adult is one of the newcomers (a new partner, someone who moved in). */
  isNew: boolean;
  statuses: KeyStatus[];
  history: ChronologyEntry[];
  more: number;
  heldBy: HeldByNotice[];
}

/** Someone new to the family and, once for all of them, the history of the adults around them. */
export interface Newcomers {
  people: Array<{ subjectId: string; name: string; why: string }>;
  adults: AdultHistory[];
}

export interface FamilySummaryData {
  window: SummaryWindow;
  members: Array<FamilyMember & { name: string; age: number | null; access: SummaryAccess | null }>;
  statuses: KeyStatus[];
  practitioners: Practitioner[];
  agencies: AgencyActivity[];
  chronology: ChronologyEntry[];
  analyses: ChronologyMark[];
  heldBy: HeldByNotice[];
  /** Null when nobody is new to the family. */
  newcomers: Newcomers | null;
}

export const memberName = (m: Pick<FamilyMember, 'givenNames' | 'familyName'>) => `${m.givenNames} ${m.familyName}`.trim() || 'Name not recorded';

const ASB_ONLY_REASON = 'Only anti-social behaviour is shown of police records for a hub meeting';

/** Why an item is not shown, or null when it is shown; 'hidden' for a sensitive service's records (never mentioned). */
export function itemVisibility(access: SummaryAccess | undefined, item: RecordItem, hiddenOrganisations: ReadonlySet<string>): null | 'hidden' | string {
  if (!access || !access.allow) return access?.reason ?? 'You have no basis to see this person\'s records';
  if (item.source === 'involvement' && item.involvementId && access.hiddenInvolvementIds.has(item.involvementId)) return 'hidden';
  if (hiddenOrganisations.has(item.organisationId)) return 'hidden';
  const scope = access.categories.get(item.category);
  const reason = () => access.withheld.find((w) => w.category === item.category)?.reason ?? 'Not covered by your basis for access';
  if (item.source === 'involvement') {
    // Who is involved is the involvements category; the purpose still leaves out categories it does not need.
    if (!access.involvements) return 'Not covered by your basis for access';
    if (access.involvementScope !== 'all' && !access.involvementScope.has(item.key)) return 'Not covered by your basis for access';
    if (access.purposeWithheld.has(item.category)) return reason();
  } else if (!scope) return reason();
  else if (scope !== 'all' && !scope.has(item.key)) return reason();
  // Judged by the record's type (or role) alone: free text mentioning anti-social behaviour does not open a record.
  if (item.category === 'police' && access.police === 'anti-social-behaviour' && !isAntiSocialBehaviour(item.title)) return ASB_ONLY_REASON;
  return null;
}

function markVisible(access: SummaryAccess | undefined, mark: ChronologyMark): boolean {
  if (!access?.allow) return false;
  if (access.categories.get(mark.category) !== 'all') return false;
  // A police mark goes with its item (shown only when the item's type is anti-social behaviour); an analysis on its own is free text, so withheld.
  if (mark.category === 'police' && access.police === 'anti-social-behaviour') return mark.itemKey !== null;
  return true;
}

/** Organisations whose every involvement with a person is hidden from the viewer (sensitive, no consent), by person. */
export function hiddenOrganisationsOf(input: Pick<AssemblyInput, 'items' | 'access'>): Map<string, Set<string>> {
  const byPerson = new Map<string, Map<string, boolean>>();
  for (const i of input.items) {
    if (i.source !== 'involvement' || !i.involvementId) continue;
    const hidden = input.access.get(i.subjectId)?.hiddenInvolvementIds.has(i.involvementId) ?? false;
    const orgs = byPerson.get(i.subjectId) ?? new Map<string, boolean>();
    orgs.set(i.organisationId, (orgs.get(i.organisationId) ?? true) && hidden);
    byPerson.set(i.subjectId, orgs);
  }
  return new Map([...byPerson].map(([id, orgs]) => [id, new Set([...orgs].filter(([, allHidden]) => allHidden).map(([o]) => o))]));
}

export function assembleFamilySummary(input: AssemblyInput): FamilySummaryData {
  const { window } = input;
  const today = window.to;
  const names = new Map(input.members.map((m) => [m.subjectId, memberName(m)]));
  const hiddenOrgs = hiddenOrganisationsOf(input);
  const noHidden = new Set<string>();

  const visible: RecordItem[] = [];
  const withheld = new Map<string, { subjectId: string; organisationId: string; organisationName: string; categories: Set<DataCategory>; reason: string }>();
  for (const item of input.items) {
    if (!inWindow(item, window)) continue;
    const why = itemVisibility(input.access.get(item.subjectId), item, hiddenOrgs.get(item.subjectId) ?? noHidden);
    if (why === null) visible.push(item);
    else if (why !== 'hidden') {
      const key = `${item.subjectId} ${item.organisationId}`;
      const w = withheld.get(key) ?? { subjectId: item.subjectId, organisationId: item.organisationId, organisationName: item.organisationName, categories: new Set(), reason: why };
      w.categories.add(item.category);
      withheld.set(key, w);
    }
  }

  const marksVisible = input.marks.filter((m) => markVisible(input.access.get(m.subjectId), m));
  // Marks on items: only items shown carry them (a mark on an item not shown is not shown either).
  const marksByItem = new Map<string, ChronologyMark[]>();
  for (const m of marksVisible) if (m.itemKey !== null) marksByItem.set(m.itemKey, [...(marksByItem.get(m.itemKey) ?? []), m]);
  const noMarks: ChronologyMark[] = [];
  // One object shape for every entry (a literal, not a spread of items of different shapes).
  const chronology: ChronologyEntry[] = new Array<ChronologyEntry>(visible.length);
  for (let k = 0; k < visible.length; k++) {
    const i = visible[k]!;
    const marks = marksByItem.size ? (marksByItem.get(i.key) ?? noMarks) : noMarks;
    chronology[k] = {
      key: i.key,
      subjectId: i.subjectId,
      source: i.source,
      kind: i.kind,
      organisationId: i.organisationId,
      organisationName: i.organisationName,
      category: i.category,
      title: i.title,
      description: i.description,
      startDate: i.startDate,
      endDate: i.endDate,
      memberName: names.get(i.subjectId) ?? '',
      marks,
      significant: marks.length > 0 && marks.some((m) => m.significant),
    };
  }
  // The records arrive mostly in date order (the repository sorts them), so this sort is cheap.
  chronology.sort(byDate);

  const contactsOf = (subjectId: string, organisationId: string) => {
    const access = input.access.get(subjectId);
    if (!access?.contacts) return [];
    return input.involvements
      .filter((i) => i.subjectId === subjectId && i.organisationId === organisationId && !access.hiddenInvolvementIds.has(i.id) && (i.endDate === null || i.endDate > today))
      .map((i) => ({ name: i.practitionerName ?? i.teamName ?? i.organisationName, email: i.practitionerEmail ?? i.teamEmail, phone: i.practitionerPhone ?? i.teamPhone }));
  };
  const heldBy: HeldByNotice[] = [...withheld.values()]
    .map((w) => ({
      subjectId: w.subjectId,
      memberName: names.get(w.subjectId) ?? '',
      organisationId: w.organisationId,
      organisationName: w.organisationName,
      categories: [...w.categories].sort(),
      reason: w.reason,
      contacts: contactsOf(w.subjectId, w.organisationId),
    }))
    .sort((a, b) => a.memberName.localeCompare(b.memberName) || a.organisationName.localeCompare(b.organisationName));

  const statuses = deriveStatuses(visible, window);

  const practitioners: Practitioner[] = [];
  for (const i of input.involvements) {
    const access = input.access.get(i.subjectId);
    if (!access?.allow || access.hiddenInvolvementIds.has(i.id)) continue;
    const current = i.endDate === null || i.endDate > today;
    // Current contacts are the contact minimum; past involvements are the involvements category, within the window.
    if (current ? !access.contacts : !access.involvements || !inWindow(i, window)) continue;
    practitioners.push({
      subjectId: i.subjectId,
      memberName: names.get(i.subjectId) ?? '',
      organisationName: i.organisationName,
      role: i.roleLabel,
      name: i.practitionerName,
      team: i.teamName,
      email: access.contacts ? (i.practitionerEmail ?? i.teamEmail) : null,
      phone: access.contacts ? (i.practitionerPhone ?? i.teamPhone) : null,
      current,
      startDate: i.startDate,
      endDate: i.endDate,
    });
  }
  practitioners.sort((a, b) => Number(b.current) - Number(a.current) || a.memberName.localeCompare(b.memberName) || b.startDate.localeCompare(a.startDate));

  const agencies = agencyActivity(visible, names);
  const members = input.members.map((m) => ({ ...m, name: memberName(m), age: ageOn(m.dateOfBirth, m.dobPrecision, today), access: input.access.get(m.subjectId) ?? null }));
  const analyses = marksVisible.filter((m) => m.itemKey === null && m.analysis !== null && m.entryDate >= (window.from ?? '0000')).sort((a, b) => a.entryDate.localeCompare(b.entryDate));
  const newcomerList = newcomers({ ...input, members }, chronology, statuses, heldBy, today);
  return { window, members, statuses, practitioners, agencies, chronology, analyses, heldBy, newcomers: newcomerList };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byDate = (a: RecordItem, b: RecordItem) => cmp(a.startDate, b.startDate) || cmp(a.key, b.key);

function agencyActivity(items: readonly RecordItem[], names: ReadonlyMap<string, string>): AgencyActivity[] {
  const out = new Map<string, AgencyActivity>();
  // Items come grouped (one agency's records about one person together): reuse the last group's entry.
  let lastKey = '';
  let last: AgencyActivity | undefined;
  for (const i of items) {
    const same = last !== undefined && last.subjectId === i.subjectId && last.organisationId === i.organisationId && last.category === i.category;
    const key = same ? lastKey : `${i.subjectId} ${i.organisationId} ${i.category}`;
    const a = (same ? last : out.get(key)) ?? {
      subjectId: i.subjectId,
      memberName: names.get(i.subjectId) ?? '',
      organisationId: i.organisationId,
      organisationName: i.organisationName,
      category: i.category,
      involvements: 0,
      contacts: 0,
      events: 0,
      notes: 0,
      latest: i.startDate,
    };
    if (i.kind === 'involvement') a.involvements++;
    else if (i.kind === 'contact') a.contacts++;
    else if (i.kind === 'event') a.events++;
    else a.notes++;
    if (i.startDate > a.latest) a.latest = i.startDate;
    if (!same) out.set(key, a);
    lastKey = key;
    last = a;
  }
  return [...out.values()].sort((a, b) => a.memberName.localeCompare(b.memberName) || a.organisationName.localeCompare(b.organisationName));
}

const daysBetween = (from: string, to: string) => (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;

/**
 * New people around whom history matters: an unborn child, a new partner who moved in (a partner
 * relationship and a household membership both from the last `newDays` days, or a new partner with no
 * household recorded), someone who moved into the household, or someone recorded, in that time. Then,
 * once for them all, the adults of the family (the new ones first) with their key statuses, the history
 * the viewer may see (significant first, then newest) and who holds more.
 */
export function newcomers(
  input: Pick<AssemblyInput, 'relations' | 'householdJoins' | 'newDays'> & { members: ReadonlyArray<FamilyMember & { name: string; age: number | null }> },
  chronology: readonly ChronologyEntry[],
  statuses: readonly KeyStatus[],
  heldBy: readonly HeldByNotice[],
  today: string,
): Newcomers | null {
  const days = input.newDays ?? 90;
  const recent = (d: string | null) => d !== null && d <= today && daysBetween(d, today) <= days;
  const people: Newcomers['people'] = [];
  for (const m of input.members) {
    const joins = input.householdJoins.filter((j) => j.subjectId === m.subjectId);
    const movedIn = joins.some((j) => recent(j.fromDate));
    let why: string | null = null;
    if (m.dobPrecision === 'expected') why = 'An unborn child';
    else if (input.relations.some((r) => r.subjectId === m.subjectId && r.type === 'partner' && !r.ended && recent(r.fromDate)) && (movedIn || joins.length === 0)) why = 'A new partner';
    else if (movedIn) why = 'Moved into the household recently';
    else if (recent(m.createdAt.toISOString().slice(0, 10))) why = 'Recorded recently';
    if (why) people.push({ subjectId: m.subjectId, name: m.name, why });
  }
  if (people.length === 0) return null;
  const isNew = new Set(people.map((p) => p.subjectId));
  const adults = input.members
    .filter((a) => a.age !== null && a.age >= 18)
    .sort((a, b) => Number(isNew.has(b.subjectId)) - Number(isNew.has(a.subjectId)))
    .map((a): AdultHistory => {
      const h = chronology.filter((e) => e.subjectId === a.subjectId).sort((x, y) => Number(y.significant) - Number(x.significant) || cmp(y.startDate, x.startDate));
      return {
        subjectId: a.subjectId,
        name: a.name,
        isNew: isNew.has(a.subjectId),
        statuses: statuses.filter((st) => st.subjectId === a.subjectId),
        history: h.slice(0, 8),
        more: Math.max(0, h.length - 8),
        heldBy: heldBy.filter((x) => x.subjectId === a.subjectId),
      };
    });
  return { people, adults };
}

export interface ChronologyFilter {
  organisationIds?: readonly string[] | undefined;
  categories?: readonly string[] | undefined;
  subjectIds?: readonly string[] | undefined;
  significantOnly?: boolean | undefined;
}

/** The chronology filtered by agency, category, person and significance (each empty filter keeps all). */
export function filterChronology(entries: readonly ChronologyEntry[], f: ChronologyFilter): ChronologyEntry[] {
  const has = (list: readonly string[] | undefined, v: string) => !list || list.length === 0 || list.includes(v);
  return entries.filter((e) => has(f.organisationIds, e.organisationId) && has(f.categories, e.category) && has(f.subjectIds, e.subjectId) && (!f.significantOnly || e.significant));
}
