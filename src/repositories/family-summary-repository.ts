import type { DatabaseHandle } from '../db/database.ts';
import type { FamilyRelation } from '../family-summary/assemble.ts';
import type { ChronologyMark, FamilyMember, RecordItem } from '../family-summary/types.ts';
import type { DataCategory } from '../policy/access-policy.ts';

/**
 * Reads for the family summary: who is in a family, every agency record linked to its people (feed
 * records by `source_record.subject_id`, agencies' notes), the worker-curated chronology; and writes
 * chronology entries. Only the service calls it, and only for people the PolicyGate has decided on.
 * Every statement has fixed text (a named prepared statement on PostgreSQL).
 */
export class FamilySummaryRepository {
  readonly #h: DatabaseHandle;
  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  /**
   * The family around a person: everyone with a current relationship to them (with what they are to
   * the person: the relationship's label and type) and everyone living in a household with them now
   * ("lives with"). The person first.
   */
  async familyOf(subjectId: string, today: string): Promise<Array<{ subjectId: string; relation: string | null; type: string | null }>> {
    const rows = await this.#h.query<{ subject_id: string; relation: string | null; type: string | null }>(
      `select $1::uuid as subject_id, null::text as relation, null::text as type, 0 as o
       union all
       select r.subject_id, t.label, r.type, 1
         from relationship r join relationship_type t on t.code = r.type
        where r.related_subject_id = $1::uuid and (r.to_date is null or r.to_date > $2::date)
       union all
       select m2.subject_id, 'lives with', null, 2
         from household_member m join household_member m2 on m2.household_id = m.household_id
        where m.subject_id = $1::uuid and (m.to_date is null or m.to_date > $2::date)
          and (m2.to_date is null or m2.to_date > $2::date) and m2.subject_id <> $1::uuid
       order by 4, 2`,
      [subjectId, today],
      { name: 'family_summary_family_of' },
    );
    const out = new Map<string, { relation: string | null; type: string | null }>();
    for (const r of rows) if (!out.has(r.subject_id)) out.set(r.subject_id, { relation: r.relation, type: r.type });
    return [...out].map(([id, v]) => ({ subjectId: id, ...v }));
  }

  /**
   * One step further, through the given people (the person's parents, carers and partners): their
   * children, unborn children, partners and those they care for, with what each is to them.
   */
  async familyThrough(viaIds: readonly string[], today: string): Promise<Array<{ subjectId: string; via: string; relation: string }>> {
    if (viaIds.length === 0) return [];
    const rows = await this.#h.query<{ subject_id: string; via: string; relation: string }>(
      `select r.subject_id, r.related_subject_id as via, t.label as relation
         from relationship r join relationship_type t on t.code = r.type
        where r.related_subject_id = any($1::uuid[]) and (r.to_date is null or r.to_date > $2::date)
          and r.type in ('child', 'step_child', 'unborn_child_of', 'partner', 'parental_responsibility_for', 'cared_for')
        order by r.related_subject_id, t.label, r.subject_id`,
      [[...viaIds], today],
      { name: 'family_summary_family_through' },
    );
    return rows.map((r) => ({ subjectId: r.subject_id, via: r.via, relation: r.relation }));
  }

  /** A household's current members (the household summary), oldest membership first. */
  async householdMembers(householdId: string, today: string): Promise<string[]> {
    const rows = await this.#h.query<{ subject_id: string }>(
      `select subject_id from household_member where household_id = $1::uuid and (to_date is null or to_date > $2::date)
        group by subject_id order by min(from_date) nulls first, subject_id`,
      [householdId, today],
      { name: 'family_summary_household_members' },
    );
    return rows.map((r) => r.subject_id);
  }

  /**
   * What the summary needs of the family besides their records, in one statement: each person's core
   * record and current name, the relationships among them, their current household memberships, and
   * the worker-curated chronology about them.
   */
  async familyDetails(
    subjectIds: readonly string[],
    today: string,
  ): Promise<{
    members: Map<string, Omit<FamilyMember, 'relationToFocus' | 'isFocus'>>;
    relations: FamilyRelation[];
    households: Array<{ subjectId: string; householdId: string; fromDate: string | null }>;
    marks: ChronologyMark[];
  }> {
    if (subjectIds.length === 0) return { members: new Map(), relations: [], households: [], marks: [] };
    const [row] = await this.#h.query<{
      members: Array<{
        subject_id: string;
        given_names: string | null;
        family_name: string | null;
        date_of_birth: string | null;
        dob_precision: string;
        sex: string;
        deceased: boolean;
        shielded: boolean;
        created_at: string;
      }>;
      relations: Array<{ subject_id: string; related_subject_id: string; type: string; from_date: string | null; to_date: string | null }>;
      households: Array<{ subject_id: string; household_id: string; from_date: string | null }>;
      marks: Array<{
        subject_id: string;
        id: string;
        item_key: string | null;
        significant: boolean;
        entry_date: string;
        analysis: string | null;
        organisation_id: string;
        organisation_name: string;
        category: string;
        recorded_by_name: string;
        recorded_at: string;
      }>;
    }>(
      `select
         (select coalesce(json_agg(json_build_object('subject_id', p.subject_id, 'given_names', n.given_names, 'family_name', n.family_name,
                   'date_of_birth', p.date_of_birth, 'dob_precision', p.dob_precision, 'sex', p.sex, 'deceased', p.deceased,
                   'shielded', p.shielded, 'created_at', p.created_at)), '[]')
            from person p
            left join lateral (select given_names, family_name from person_name n
                                where n.subject_id = p.subject_id and n.kind = 'current' order by n.created_at limit 1) n on true
           where p.subject_id = any($1::uuid[])) as members,
         (select coalesce(json_agg(json_build_object('subject_id', subject_id, 'related_subject_id', related_subject_id, 'type', type,
                   'from_date', from_date, 'to_date', to_date)), '[]')
            from relationship where subject_id = any($1::uuid[]) and related_subject_id = any($1::uuid[])) as relations,
         (select coalesce(json_agg(json_build_object('subject_id', subject_id, 'household_id', household_id, 'from_date', from_date)), '[]')
            from household_member where subject_id = any($1::uuid[]) and (to_date is null or to_date > $2::date)) as households,
         (select coalesce(json_agg(json_build_object('subject_id', c.subject_id, 'id', c.id, 'item_key', c.item_key, 'significant', c.significant,
                   'entry_date', c.entry_date, 'analysis', c.analysis, 'organisation_id', c.organisation_id, 'organisation_name', o.name,
                   'category', c.category, 'recorded_by_name', u.display_name, 'recorded_at', c.recorded_at) order by c.recorded_at, c.id), '[]')
            from chronology_entry c join organisation o on o.id = c.organisation_id join app_user u on u.id = c.recorded_by
           where c.subject_id = any($1::uuid[])) as marks`,
      [[...subjectIds], today],
      { name: 'family_summary_details' },
    );
    const r = row!;
    return {
      members: new Map(
        r.members.map((m) => [
          m.subject_id,
          {
            subjectId: m.subject_id,
            givenNames: m.given_names ?? '',
            familyName: m.family_name ?? '',
            dateOfBirth: m.date_of_birth,
            dobPrecision: m.dob_precision,
            sex: m.sex,
            deceased: m.deceased,
            shielded: m.shielded,
            createdAt: new Date(m.created_at),
          },
        ]),
      ),
      relations: r.relations.map((x) => ({ subjectId: x.subject_id, relatedSubjectId: x.related_subject_id, type: x.type, fromDate: x.from_date, ended: x.to_date !== null && x.to_date <= today })),
      households: r.households.map((x) => ({ subjectId: x.subject_id, householdId: x.household_id, fromDate: x.from_date })),
      marks: r.marks.map((m) => ({
        id: m.id,
        subjectId: m.subject_id,
        itemKey: m.item_key,
        significant: m.significant,
        entryDate: m.entry_date,
        analysis: m.analysis,
        organisationId: m.organisation_id,
        organisationName: m.organisation_name,
        category: m.category as DataCategory,
        recordedByName: m.recorded_by_name,
        recordedAt: new Date(m.recorded_at),
      })),
    };
  }

  /**
   * Every agency record linked to these people: feed records (involvements, contacts, events) by
   * `subject_id`, and agencies' notes. The case category of a feed record is its organisation type's.
   */
  async records(subjectIds: readonly string[]): Promise<RecordItem[]> {
    if (subjectIds.length === 0) return [];
    const rows = await this.#h.query<{
      subject_id: string;
      organisation_id: string;
      kind: 'involvements' | 'contacts' | 'events' | 'note';
      id: string;
      title: string | null;
      type: string | null;
      description: string | null;
      start_date: string | null;
      end_date: string | null;
      note_category: string | null;
      organisation_name: string;
      case_category: string;
    }>(
      // Feed records and agencies' notes in one statement. The few organisations are looked up once
      // each, not once per record (a per-row lookup was most of the statement's time at 3,000 records).
      `with s as materialized (
         select s.subject_id, s.organisation_id, s.kind, s.source_record_id as id, s.role as title, s.event_type as type, s.description,
                s.start_date, s.end_date, null::text as note_category
           from source_record s
          where s.subject_id = any($1::uuid[]) and s.kind in ('involvements', 'contacts', 'events') and s.start_date is not null
         union all
         select n.subject_id, n.organisation_id, 'note', n.id::text, n.title, n.kind, n.body, (n.recorded_at at time zone 'UTC')::date, null, n.category
           from record_note n
          where n.subject_id = any($1::uuid[])),
       o as materialized (
         select o.id, o.name, ot.case_category from organisation o join organisation_type ot on ot.code = o.type_code
          where o.id in (select distinct organisation_id from s))
       select s.*, o.name as organisation_name, o.case_category from s join o on o.id = s.organisation_id
        order by s.start_date, s.organisation_id::text, s.kind, s.id`,
      [[...subjectIds]],
      { name: 'family_summary_records' },
    );
    return rows.map((r): RecordItem =>
      r.kind === 'note'
        ? {
            key: `note:${r.id}`,
            subjectId: r.subject_id,
            source: 'note',
            kind: 'note',
            organisationId: r.organisation_id,
            organisationName: r.organisation_name,
            category: r.note_category as DataCategory,
            title: `${r.type === 'note' ? 'Note' : r.type === 'alert' ? 'Alert' : r.type === 'assessment' ? 'Assessment' : 'Risk'}: ${r.title ?? ''}`,
            description: r.description,
            startDate: r.start_date!,
            endDate: null,
          }
        : {
            key: `feed:${r.organisation_id}:${r.kind}:${r.id}`,
            subjectId: r.subject_id,
            source: 'feed',
            kind: r.kind === 'involvements' ? 'involvement' : r.kind === 'contacts' ? 'contact' : 'event',
            organisationId: r.organisation_id,
            organisationName: r.organisation_name,
            category: r.case_category as DataCategory,
            title: r.kind === 'involvements' ? (r.title ?? 'Involvement') : (r.type ?? (r.kind === 'contacts' ? 'Contact' : 'Event')),
            description: r.description,
            startDate: r.start_date!,
            endDate: r.end_date,
          },
    );
  }

  async insertMark(m: { subjectId: string; id: string; itemKey: string | null; significant: boolean; entryDate: string; analysis: string | null; organisationId: string; category: DataCategory; recordedBy: string }, now: Date): Promise<void> {
    await this.#h.query(
      `insert into chronology_entry (subject_id, id, item_key, significant, entry_date, analysis, organisation_id, category, recorded_by, recorded_at)
       values ($1::uuid, $2::uuid, $3, $4, $5::date, $6, $7::uuid, $8, $9::uuid, $10)`,
      [m.subjectId, m.id, m.itemKey, m.significant, m.entryDate, m.analysis, m.organisationId, m.category, m.recordedBy, now],
    );
  }

  /** The case category of an organisation (a chronology entry's category). */
  async caseCategoryOf(organisationId: string): Promise<DataCategory | undefined> {
    const rows = await this.#h.query<{ case_category: string }>(
      `select ot.case_category from organisation o join organisation_type ot on ot.code = o.type_code where o.id = $1::uuid`,
      [organisationId],
      { name: 'family_summary_case_category' },
    );
    return rows[0]?.case_category as DataCategory | undefined;
  }
}
