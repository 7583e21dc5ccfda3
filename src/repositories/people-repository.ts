import { sql, type RawBuilder } from 'kysely';
import type { DatabaseHandle } from '../db/database.ts';
import type { DataCategory, DisclosedItem, SubjectFacts } from '../policy/access-policy.ts';

export interface PersonName {
  id: string;
  kind: 'current' | 'previous' | 'alias' | 'preferred' | 'birth';
  givenNames: string;
  familyName: string;
}

export interface PersonIdentifier {
  id: string;
  scheme: 'nhs_number' | 'upn' | 'local';
  value: string;
  organisationId: string | null;
  organisationName: string | null;
}

export interface PersonAddress {
  id: string;
  line1: string;
  line2: string | null;
  town: string | null;
  postcode: string;
  fromDate: string | null;
  toDate: string | null;
}

export interface PersonCore {
  subjectId: string;
  sex: 'female' | 'male' | 'unknown' | 'not_specified';
  gender: string | null;
  dateOfBirth: string | null;
  dobPrecision: 'exact' | 'estimated' | 'expected' | 'unknown';
  shielded: boolean;
  deceased: boolean;
  dateOfDeath: string | null;
  createdAt: Date;
}

export interface PersonRecord extends PersonCore {
  names: PersonName[];
  identifiers: PersonIdentifier[];
  addresses: PersonAddress[];
}

export interface Involvement {
  id: string;
  subjectId: string;
  organisationId: string;
  organisationName: string;
  organisationType: string;
  serviceId: string | null;
  serviceName: string | null;
  sensitiveKind: string | null;
  category: DataCategory;
  teamId: string | null;
  teamName: string | null;
  teamEmail: string | null;
  teamPhone: string | null;
  practitionerId: string | null;
  practitionerName: string | null;
  practitionerEmail: string | null;
  practitionerPhone: string | null;
  practitionerJobTitle: string | null;
  role: string;
  roleLabel: string;
  startDate: string;
  endDate: string | null;
  earlyHelpAssessment: boolean;
  consentToShow: boolean;
}

export interface Relationship {
  id: string;
  pairId: string;
  subjectId: string;
  relatedSubjectId: string;
  type: string;
  label: string;
  inverseLabel: string;
  parental: boolean;
  fromDate: string | null;
  toDate: string | null;
  related: { givenNames: string; familyName: string; dateOfBirth: string | null; dobPrecision: string; sex: string; deceased: boolean; shielded: boolean };
}

export interface HouseholdAddress {
  line1: string;
  line2: string | null;
  town: string | null;
  postcode: string;
}

/** One membership of a household, with the member's current name and what the policy needs to know of them. */
export interface HouseholdMembership {
  id: string;
  subjectId: string;
  fromDate: string | null;
  toDate: string | null;
  givenNames: string;
  familyName: string;
  dateOfBirth: string | null;
  dobPrecision: string;
  sex: string;
  deceased: boolean;
  shielded: boolean;
}

export interface HouseholdRecord {
  id: string;
  label: string | null;
  address: HouseholdAddress | null;
  createdAt: Date;
  /** Every membership, past and present, oldest first; a person who left and came back has two. */
  members: HouseholdMembership[];
}

export interface SearchCandidate {
  subjectId: string;
  sex: string;
  dateOfBirth: string | null;
  dobPrecision: string;
  shielded: boolean;
  deceased: boolean;
  names: Array<{ kind: string; givenNames: string; familyName: string }>;
  postcodes: string[];
  identifiers: Array<{ scheme: string; value: string }>;
}

export interface NewName {
  kind: PersonName['kind'];
  givenNames: string;
  familyName: string;
  givenNorm: string;
  familyNorm: string;
  givenPhonetic: string;
  familyPhonetic: string;
}

export interface NewPerson {
  subjectId: string;
  sex: PersonCore['sex'];
  gender: string | null;
  dateOfBirth: string | null;
  dobPrecision: PersonCore['dobPrecision'];
  shielded: boolean;
  deceased: boolean;
  dateOfDeath: string | null;
  createdBy: string | null;
  requestKey: string | null;
  names: Array<NewName & { id: string }>;
  identifiers: Array<{ id: string; scheme: PersonIdentifier['scheme']; value: string; organisationId: string | null }>;
  addresses: Array<{ id: string; line1: string; line2: string | null; town: string | null; postcode: string; fromDate: string | null; toDate: string | null }>;
}

function nameRow(subjectId: string, n: NewName & { id: string }, now: Date) {
  return {
    subject_id: subjectId,
    id: n.id,
    kind: n.kind,
    given_names: n.givenNames,
    family_name: n.familyName,
    given_norm: n.givenNorm,
    family_norm: n.familyNorm,
    given_phonetic: n.givenPhonetic,
    family_phonetic: n.familyPhonetic,
    created_at: now,
  };
}

export class DuplicateIdentifierError extends Error {
  readonly scheme: string;
  readonly value: string;
  constructor(scheme: string, value: string) {
    super(`Another person already has ${scheme} ${value}`);
    this.name = 'DuplicateIdentifierError';
    this.scheme = scheme;
    this.value = value;
  }
}

function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  return e?.code === '23505' && (!constraint || e.constraint === constraint || Boolean(e.message?.includes(constraint)));
}

/**
 * People, their names, identifiers, addresses, relationships and involvements, and the facts the
 * access policy needs. Only PersonService calls this, and only after the policy has allowed it.
 */
function noFacts(subjectId: string): SubjectFacts {
  return { subjectId, exists: false, shielded: false, recordedBy: null, involvements: [], openEnquiryOrganisationIds: [], disclosures: [], breakGlass: [] };
}

/**
 * An involvement with what is shown about it: the organisation, role, service, team and
 * practitioner are each fetched by key in a LATERAL subquery (OFFSET 0 keeps each a separate index
 * lookup). As plain joins the planner, expecting many involvements per person, hashed the whole
 * organisation and team tables on every call, and spent longer planning the seven-way join than
 * running it. Shared by `involvements()` (as columns) and the detailed policy facts (as JSON).
 */
const INVOLVEMENT_FROM = `involvement i
      cross join lateral (select o.name, o.type_code, ot.case_category from organisation o join organisation_type ot on ot.code = o.type_code
                          where o.id = i.organisation_id offset 0) o
      cross join lateral (select r.label from involvement_role r where r.code = i.role offset 0) r
      left join lateral (select s.name, s.sensitive_kind, s.category, s.email, s.phone from service s where s.id = i.service_id offset 0) s on true
      left join lateral (select t.name, t.email, t.phone from team t where t.id = i.team_id offset 0) t on true
      left join lateral (select u.display_name, u.email, u.phone, u.job_title from app_user u where u.id = i.practitioner_id offset 0) u on true`;

/** Current involvements first, then the most recent; the id makes the order total. */
const INVOLVEMENT_ORDER = 'i.end_date is null desc, i.start_date desc, i.id';

const INVOLVEMENT_EXPRESSIONS: ReadonlyArray<readonly [string, string]> = [
  ['id', 'i.id'],
  ['subject_id', 'i.subject_id'],
  ['organisation_id', 'i.organisation_id'],
  ['organisation_name', 'o.name'],
  ['organisation_type', 'o.type_code'],
  ['service_id', 'i.service_id'],
  ['service_name', 's.name'],
  ['sensitive_kind', 's.sensitive_kind'],
  ['category', 'coalesce(s.category, o.case_category)'],
  ['team_id', 'i.team_id'],
  ['team_name', 't.name'],
  ['team_email', 'coalesce(s.email, t.email)'],
  ['team_phone', 'coalesce(s.phone, t.phone)'],
  ['practitioner_id', 'i.practitioner_id'],
  ['practitioner_name', 'u.display_name'],
  ['practitioner_email', 'u.email'],
  ['practitioner_phone', 'u.phone'],
  ['practitioner_job_title', 'u.job_title'],
  ['role', 'i.role'],
  ['role_label', 'r.label'],
  ['start_date', 'i.start_date'],
  ['end_date', 'i.end_date'],
  ['early_help_assessment', 'i.early_help_assessment'],
  ['consent_to_show', 'i.consent_to_show'],
];
const INVOLVEMENT_COLUMNS = INVOLVEMENT_EXPRESSIONS.map(([name, expr]) => (expr === `i.${name}` ? expr : `${expr} as ${name}`)).join(', ');
/** The same fields for json_build_object, without subject_id (the person's row carries it). */
const INVOLVEMENT_JSON_FIELDS = INVOLVEMENT_EXPRESSIONS.filter(([name]) => name !== 'subject_id')
  .map(([name, expr]) => `'${name}', ${expr}`)
  .join(', ');

interface InvolvementRow {
  id: string;
  subject_id: string;
  organisation_id: string;
  organisation_name: string;
  organisation_type: string;
  service_id: string | null;
  service_name: string | null;
  sensitive_kind: string | null;
  category: string;
  team_id: string | null;
  team_name: string | null;
  team_email: string | null;
  team_phone: string | null;
  practitioner_id: string | null;
  practitioner_name: string | null;
  practitioner_email: string | null;
  practitioner_phone: string | null;
  practitioner_job_title: string | null;
  role: string;
  role_label: string;
  start_date: string;
  end_date: string | null;
  early_help_assessment: boolean;
  consent_to_show: boolean;
}

/** An involvement in the short form of the facts query, or (detailed) an InvolvementRow without subject_id. */
type InvolvementJson = Omit<InvolvementRow, 'subject_id'> & { sensitive?: boolean };

function involvementOf(r: InvolvementRow): Involvement {
  return {
    id: r.id,
    subjectId: r.subject_id,
    organisationId: r.organisation_id,
    organisationName: r.organisation_name,
    organisationType: r.organisation_type,
    serviceId: r.service_id,
    serviceName: r.service_name,
    sensitiveKind: r.sensitive_kind,
    category: r.category as DataCategory,
    teamId: r.team_id,
    teamName: r.team_name,
    teamEmail: r.team_email,
    teamPhone: r.team_phone,
    practitionerId: r.practitioner_id,
    practitionerName: r.practitioner_name,
    practitionerEmail: r.practitioner_email,
    practitionerPhone: r.practitioner_phone,
    practitionerJobTitle: r.practitioner_job_title,
    role: r.role,
    roleLabel: r.role_label,
    startDate: r.start_date,
    endDate: r.end_date,
    earlyHelpAssessment: r.early_help_assessment,
    consentToShow: r.consent_to_show,
  };
}

/** An unreviewed emergency access the IG leads are being reminded about. */
export interface ReviewReminderEntry {
  subjectId: string;
  id: string;
  startedAt: Date;
  userName: string;
  organisationName: string;
}

export class PeopleRepository {
  readonly #h: DatabaseHandle;
  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  get db() {
    return this.#h.db;
  }

  async insertPerson(p: NewPerson, now: Date): Promise<void> {
    try {
      await this.#h.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('person')
          .values({
            subject_id: p.subjectId,
            sex: p.sex,
            gender: p.gender,
            date_of_birth: p.dateOfBirth,
            dob_precision: p.dobPrecision,
            shielded: p.shielded,
            deceased: p.deceased,
            date_of_death: p.dateOfDeath,
            created_at: now,
            created_by: p.createdBy,
            updated_at: now,
            request_key: p.requestKey,
          })
          .execute();
        await trx
          .insertInto('person_name')
          .values(
            p.names.map((n) => nameRow(p.subjectId, n, now)),
          )
          .execute();
        for (const i of p.identifiers) {
          try {
            await trx
              .insertInto('person_identifier')
              .values({ subject_id: p.subjectId, id: i.id, scheme: i.scheme, value: i.value, organisation_id: i.organisationId, created_at: now })
              .execute();
          } catch (err) {
            if (isUniqueViolation(err)) throw new DuplicateIdentifierError(i.scheme, i.value);
            throw err;
          }
        }
        if (p.addresses.length) {
          await trx
            .insertInto('person_address')
            .values(
              p.addresses.map((a) => ({
                subject_id: p.subjectId,
                id: a.id,
                line1: a.line1,
                line2: a.line2,
                town: a.town,
                postcode: a.postcode,
                from_date: a.fromDate,
                to_date: a.toDate,
                created_at: now,
              })),
            )
            .execute();
        }
      });
    } catch (err) {
      if (err instanceof DuplicateIdentifierError) throw err;
      if (isUniqueViolation(err, 'person_request_key_key')) throw new RepeatedRequestError();
      throw err;
    }
  }

  async findByRequestKey(key: string): Promise<string | undefined> {
    const r = await this.#h.db.selectFrom('person').select('subject_id').where('request_key', '=', key).executeTakeFirst();
    return r?.subject_id;
  }

  async exists(subjectId: string): Promise<boolean> {
    return Boolean(await this.#h.db.selectFrom('person').select('subject_id').where('subject_id', '=', subjectId).executeTakeFirst());
  }

  async findPerson(subjectId: string): Promise<PersonRecord | undefined> {
    const [p, names, identifiers, addresses] = await Promise.all([
      this.#h.db.selectFrom('person').selectAll().where('subject_id', '=', subjectId).executeTakeFirst(),
      this.#h.db.selectFrom('person_name').select(['id', 'kind', 'given_names', 'family_name']).where('subject_id', '=', subjectId).orderBy('created_at').execute(),
      this.#h.db
        .selectFrom('person_identifier as i')
        .leftJoin('organisation as o', 'o.id', 'i.organisation_id')
        .select(['i.id', 'i.scheme', 'i.value', 'i.organisation_id', 'o.name as organisation_name'])
        .where('i.subject_id', '=', subjectId)
        .orderBy('i.scheme')
        .execute(),
      this.#h.db
        .selectFrom('person_address')
        .selectAll()
        .where('subject_id', '=', subjectId)
        .orderBy(sql`to_date is null`, 'desc')
        .orderBy('from_date', 'desc')
        .execute(),
    ]);
    if (!p) return undefined;
    const order = { current: 0, preferred: 1, birth: 2, previous: 3, alias: 4 } as Record<string, number>;
    return {
      ...PeopleRepository.core(p),
      names: names
        .map((n) => ({ id: n.id, kind: n.kind as PersonName['kind'], givenNames: n.given_names, familyName: n.family_name }))
        .sort((a, b) => (order[a.kind] ?? 9) - (order[b.kind] ?? 9)),
      identifiers: identifiers.map((i) => ({
        id: i.id,
        scheme: i.scheme as PersonIdentifier['scheme'],
        value: i.value,
        organisationId: i.organisation_id,
        organisationName: i.organisation_name,
      })),
      addresses: addresses.map((a) => ({
        id: a.id,
        line1: a.line1,
        line2: a.line2,
        town: a.town,
        postcode: a.postcode,
        fromDate: a.from_date,
        toDate: a.to_date,
      })),
    };
  }

  static core(p: {
    subject_id: string;
    sex: string;
    gender: string | null;
    date_of_birth: string | null;
    dob_precision: string;
    shielded: boolean;
    deceased: boolean;
    date_of_death: string | null;
    created_at: Date;
  }): PersonCore {
    return {
      subjectId: p.subject_id,
      sex: p.sex as PersonCore['sex'],
      gender: p.gender,
      dateOfBirth: p.date_of_birth,
      dobPrecision: p.dob_precision as PersonCore['dobPrecision'],
      shielded: p.shielded,
      deceased: p.deceased,
      dateOfDeath: p.date_of_death,
      createdAt: p.created_at,
    };
  }

  /** Everything the access policy needs about one person, in one query. */
  async policyFacts(subjectId: string, now: Date): Promise<SubjectFacts> {
    return (await this.#facts([subjectId], now, false)).get(subjectId)?.facts ?? noFacts(subjectId);
  }

  /**
   * The policy's facts about one person and, from the same statement, their involvements as
   * `involvements()` returns them (for "who is involved"): the facts about each involvement are
   * taken from those rows, so the two always agree. The caller must not show any of it before the
   * gate has decided and audited.
   */
  async policyFactsWithInvolvements(subjectId: string, now: Date): Promise<{ facts: SubjectFacts; involvements: Involvement[] }> {
    const found = (await this.#facts([subjectId], now, true)).get(subjectId);
    return found ? { facts: found.facts, involvements: found.involvements ?? [] } : { facts: noFacts(subjectId), involvements: [] };
  }

  /** The policy's facts for several people at once (search results); people not recorded are left out. */
  async policyFactsMany(subjectIds: readonly string[], now: Date): Promise<Map<string, SubjectFacts>> {
    if (subjectIds.length === 0) return new Map();
    return new Map([...(await this.#facts(subjectIds, now, false))].map(([id, f]) => [id, f.facts]));
  }

  /**
   * One statement, one round trip: each person's row with their involvements (and the case category
   * and sensitivity of each), open enquiries, live disclosures and unexpired break-glass as JSON.
   * (It was five statements in parallel; under load the round trips, not the reads, were the cost.)
   * The organisation and service of each involvement are looked up by key (LATERAL … OFFSET 0), not
   * joined: a join had the planner hash the whole organisation table on every call. `detailed`
   * returns each involvement as `involvements()` does (one query fewer for "who is involved").
   * The text is fixed (one id, or the ids as one array), so each variant is a named prepared statement.
   */
  async #facts(
    subjectIds: readonly string[],
    now: Date,
    detailed: boolean,
  ): Promise<Map<string, { facts: SubjectFacts; involvements: Involvement[] | null }>> {
    // One person by `=`: PostgreSQL then reuses one generic plan of the named statement instead of
    // planning it on every call (about 0.5 ms here); with `= any(array)` it kept planning each time.
    const one = subjectIds.length === 1;
    const involvementsJson = detailed
      ? sql`coalesce((select json_agg(json_build_object(${sql.raw(INVOLVEMENT_JSON_FIELDS)}) order by ${sql.raw(INVOLVEMENT_ORDER)})
          from ${sql.raw(INVOLVEMENT_FROM)}
          where i.subject_id = p.subject_id), '[]')`
      : sql`coalesce((select json_agg(json_build_object(
            'id', i.id, 'organisation_id', i.organisation_id, 'team_id', i.team_id, 'practitioner_id', i.practitioner_id,
            'role', i.role, 'end_date', i.end_date, 'consent_to_show', i.consent_to_show,
            'sensitive', s.sensitive_kind is not null, 'category', coalesce(s.category, o.case_category)))
          from involvement i
          cross join lateral (select ot.case_category from organisation o join organisation_type ot on ot.code = o.type_code
                              where o.id = i.organisation_id offset 0) o
          left join lateral (select s.sensitive_kind, s.category from service s where s.id = i.service_id offset 0) s on true
          where i.subject_id = p.subject_id), '[]')`;
    const query = sql`
      select p.subject_id, p.shielded, p.created_by, p.created_at,
        ${involvementsJson} as involvements,
        coalesce((select json_agg(e.organisation_id) from enquiry e where e.subject_id = p.subject_id and e.closed_at is null), '[]') as enquiries,
        coalesce((select json_agg(json_build_object(
            'recipient_user_id', d.recipient_user_id, 'recipient_team_id', d.recipient_team_id,
            'recipient_organisation_id', d.recipient_organisation_id, 'categories', d.categories, 'items', d.items, 'expires_at', d.expires_at))
          from disclosure_grant d where d.subject_id = p.subject_id and d.revoked_at is null), '[]') as disclosures,
        coalesce((select json_agg(json_build_object('user_id', b.user_id, 'expires_at', b.expires_at))
          from break_glass b where b.subject_id = p.subject_id and b.expires_at > ${now}), '[]') as break_glass
      from person p
      where ${one ? sql`p.subject_id = ${subjectIds[0]}::uuid` : sql`p.subject_id = any(${[...subjectIds]}::uuid[])`}`.compile(this.#h.db);
    const rows = await this.#h.query<{
      subject_id: string;
      shielded: boolean;
      created_by: string | null;
      created_at: Date;
      involvements: Array<InvolvementJson>;
      enquiries: string[];
      disclosures: Array<{
        recipient_user_id: string | null;
        recipient_team_id: string | null;
        recipient_organisation_id: string | null;
        categories: string[];
        items: DisclosedItem[] | null;
        expires_at: string | null;
      }>;
      break_glass: Array<{ user_id: string; expires_at: string }>;
    }>(query.sql, query.parameters, { name: `people_policy_facts${detailed ? '_detailed' : ''}${one ? '_one' : '_many'}` });
    const today = now.toISOString().slice(0, 10);
    const out = new Map<string, { facts: SubjectFacts; involvements: Involvement[] | null }>();
    for (const p of rows) {
      const involvements = detailed ? p.involvements.map((r) => involvementOf({ ...r, subject_id: p.subject_id } as InvolvementRow)) : null;
      out.set(p.subject_id, {
        involvements,
        facts: {
          subjectId: p.subject_id,
          exists: true,
          shielded: p.shielded,
          recordedBy: { userId: p.created_by, at: p.created_at },
          involvements: involvements
            ? involvements.map((i) => ({
                id: i.id,
                organisationId: i.organisationId,
                teamId: i.teamId,
                practitionerId: i.practitionerId,
                role: i.role,
                category: i.category,
                sensitive: i.sensitiveKind !== null,
                consentToShow: i.consentToShow,
                active: i.endDate === null || i.endDate > today,
              }))
            : p.involvements.map((r) => ({
                id: r.id,
                organisationId: r.organisation_id,
                teamId: r.team_id,
                practitionerId: r.practitioner_id,
                role: r.role,
                category: r.category as DataCategory,
                sensitive: Boolean(r.sensitive),
                consentToShow: r.consent_to_show,
                active: r.end_date === null || r.end_date > today,
              })),
          openEnquiryOrganisationIds: p.enquiries,
          disclosures: p.disclosures.map((d) => ({
            recipientUserId: d.recipient_user_id,
            recipientTeamId: d.recipient_team_id,
            recipientOrganisationId: d.recipient_organisation_id,
            categories: d.categories as DataCategory[],
            items: d.items ?? [],
            expiresAt: d.expires_at === null ? null : new Date(d.expires_at),
            revoked: false,
          })),
          breakGlass: p.break_glass.map((b) => ({ userId: b.user_id, expiresAt: new Date(b.expires_at) })),
        },
      });
    }
    return out;
  }

  async involvements(subjectIds: readonly string[]): Promise<Involvement[]> {
    if (subjectIds.length === 0) return [];
    // See INVOLVEMENT_FROM for why each looked-up row is fetched by key; a fixed text, so a named prepared statement.
    const one = subjectIds.length === 1;
    const rows = await this.#h.query<InvolvementRow>(
      `select ${INVOLVEMENT_COLUMNS} from ${INVOLVEMENT_FROM}
        where ${one ? 'i.subject_id = $1::uuid' : 'i.subject_id = any($1::uuid[])'}
        order by ${INVOLVEMENT_ORDER}`,
      [one ? subjectIds[0] : [...subjectIds]],
      { name: one ? 'people_involvements_one' : 'people_involvements_many' },
    );
    return rows.map(involvementOf);
  }

  async findInvolvement(subjectId: string, id: string): Promise<Involvement | undefined> {
    return (await this.involvements([subjectId])).find((i) => i.id === id);
  }

  async insertInvolvement(
    i: {
      subjectId: string;
      id: string;
      organisationId: string;
      serviceId: string | null;
      teamId: string | null;
      practitionerId: string | null;
      role: string;
      startDate: string;
      endDate: string | null;
      earlyHelpAssessment: boolean;
      consentToShow: boolean;
      createdBy: string;
    },
    now: Date,
  ): Promise<void> {
    await this.#h.db
      .insertInto('involvement')
      .values({
        subject_id: i.subjectId,
        id: i.id,
        organisation_id: i.organisationId,
        service_id: i.serviceId,
        team_id: i.teamId,
        practitioner_id: i.practitionerId,
        role: i.role,
        start_date: i.startDate,
        end_date: i.endDate,
        early_help_assessment: i.earlyHelpAssessment,
        consent_to_show: i.consentToShow,
        created_at: now,
        created_by: i.createdBy,
        ended_by: null,
        end_reason: null,
      })
      .execute();
  }

  /** Ends an open involvement; false if it was already ended (a repeated submission). */
  async endInvolvement(subjectId: string, id: string, endDate: string, endedBy: string, reason: string | null): Promise<boolean> {
    const r = await this.#h.db
      .updateTable('involvement')
      .set({ end_date: endDate, ended_by: endedBy, end_reason: reason })
      .where('subject_id', '=', subjectId)
      .where('id', '=', id)
      .where('end_date', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async relationships(subjectId: string): Promise<Relationship[]> {
    const rows = await this.#h.db
      .selectFrom('relationship as r')
      .innerJoin('relationship_type as t', 't.code', 'r.type')
      .innerJoin('relationship_type as inv', 'inv.code', 't.inverse_code')
      .innerJoin('person as p', 'p.subject_id', 'r.related_subject_id')
      .select([
        'r.id',
        'r.pair_id',
        'r.subject_id',
        'r.related_subject_id',
        'r.type',
        't.label',
        'inv.label as inverse_label',
        't.parental',
        'r.from_date',
        'r.to_date',
        'p.date_of_birth',
        'p.dob_precision',
        'p.sex',
        'p.deceased',
        'p.shielded',
        sql<string>`(select n.given_names from person_name n where n.subject_id = p.subject_id and n.kind = 'current' order by n.created_at limit 1)`.as('given_names'),
        sql<string>`(select n.family_name from person_name n where n.subject_id = p.subject_id and n.kind = 'current' order by n.created_at limit 1)`.as('family_name'),
      ])
      .where('r.subject_id', '=', subjectId)
      .orderBy('r.created_at')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      pairId: r.pair_id,
      subjectId: r.subject_id,
      relatedSubjectId: r.related_subject_id,
      type: r.type,
      label: r.label,
      inverseLabel: r.inverse_label,
      parental: r.parental,
      fromDate: r.from_date,
      toDate: r.to_date,
      related: {
        givenNames: r.given_names ?? '',
        familyName: r.family_name ?? '',
        dateOfBirth: r.date_of_birth,
        dobPrecision: r.dob_precision,
        sex: r.sex,
        deceased: r.deceased,
        shielded: r.shielded,
      },
    }));
  }

  /** Relationships among a set of people (to draw the family tree of the person's family). */
  async relationshipsAmong(subjectIds: readonly string[]): Promise<Array<{ subjectId: string; relatedSubjectId: string; type: string; ended: boolean }>> {
    if (subjectIds.length === 0) return [];
    const rows = await this.#h.db
      .selectFrom('relationship')
      .select(['subject_id', 'related_subject_id', 'type', 'to_date'])
      .where('subject_id', 'in', [...subjectIds])
      .where('related_subject_id', 'in', [...subjectIds])
      .execute();
    return rows.map((r) => ({ subjectId: r.subject_id, relatedSubjectId: r.related_subject_id, type: r.type, ended: r.to_date !== null }));
  }

  async relationshipTypes(): Promise<Array<{ code: string; label: string; inverseCode: string; parental: boolean }>> {
    const rows = await this.#h.db.selectFrom('relationship_type').selectAll().orderBy('code').execute();
    return rows.map((r) => ({ code: r.code, label: r.label, inverseCode: r.inverse_code, parental: r.parental }));
  }

  async insertRelationship(
    r: { subjectId: string; relatedSubjectId: string; type: string; inverseType: string; fromDate: string | null; createdBy: string },
    ids: { pairId: string; forward: string; backward: string },
    now: Date,
  ): Promise<'created' | 'exists'> {
    try {
      // One statement for both directions: atomic without a transaction.
      await this.#h.db
        .insertInto('relationship')
        .values([
          { subject_id: r.subjectId, id: ids.forward, pair_id: ids.pairId, related_subject_id: r.relatedSubjectId, type: r.type, from_date: r.fromDate, to_date: null, created_at: now, created_by: r.createdBy },
          { subject_id: r.relatedSubjectId, id: ids.backward, pair_id: ids.pairId, related_subject_id: r.subjectId, type: r.inverseType, from_date: r.fromDate, to_date: null, created_at: now, created_by: r.createdBy },
        ])
        .execute();
      return 'created';
    } catch (err) {
      if (isUniqueViolation(err)) return 'exists';
      throw err;
    }
  }

  // ----- households -----

  /** The households the person belongs or belonged to, each with all its memberships, oldest first. */
  async householdsOf(subjectId: string): Promise<HouseholdRecord[]> {
    return this.#households(sql`h.id in (select m.household_id from household_member m where m.subject_id = ${subjectId})`);
  }

  async findHousehold(id: string): Promise<HouseholdRecord | undefined> {
    return (await this.#households(sql`h.id = ${id}`))[0];
  }

  async #households(where: RawBuilder<unknown>): Promise<HouseholdRecord[]> {
    const { rows } = await sql<{
      id: string;
      label: string | null;
      line1: string | null;
      line2: string | null;
      town: string | null;
      postcode: string | null;
      created_at: Date;
      members: Array<{
        id: string;
        subject_id: string;
        from_date: string | null;
        to_date: string | null;
        given_names: string | null;
        family_name: string | null;
        date_of_birth: string | null;
        dob_precision: string;
        sex: string;
        deceased: boolean;
        shielded: boolean;
      }>;
    }>`
      select h.id, h.label, h.line1, h.line2, h.town, h.postcode, h.created_at,
        coalesce((select json_agg(json_build_object(
            'id', m.id, 'subject_id', m.subject_id, 'from_date', m.from_date, 'to_date', m.to_date,
            'given_names', n.given_names, 'family_name', n.family_name, 'date_of_birth', p.date_of_birth,
            'dob_precision', p.dob_precision, 'sex', p.sex, 'deceased', p.deceased, 'shielded', p.shielded)
            order by coalesce(m.from_date, m.created_at::date) nulls first, m.created_at nulls first)
          from household_member m
          join person p on p.subject_id = m.subject_id
          left join lateral (select n.given_names, n.family_name from person_name n
                             where n.subject_id = m.subject_id and n.kind = 'current' order by n.created_at limit 1) n on true
          where m.household_id = h.id), '[]') as members
      from household h
      where ${where}
      order by h.created_at, h.id`.execute(this.#h.db);
    return rows.map((h) => ({
      id: h.id,
      label: h.label,
      address: h.line1 !== null && h.postcode !== null ? { line1: h.line1, line2: h.line2, town: h.town, postcode: h.postcode } : null,
      createdAt: h.created_at,
      members: h.members.map((m) => ({
        id: m.id,
        subjectId: m.subject_id,
        fromDate: m.from_date,
        toDate: m.to_date,
        givenNames: m.given_names ?? '',
        familyName: m.family_name ?? '',
        dateOfBirth: m.date_of_birth,
        dobPrecision: m.dob_precision,
        sex: m.sex,
        deceased: m.deceased,
        shielded: m.shielded,
      })),
    }));
  }

  /** A new household and its first members, in one transaction. */
  async insertHousehold(
    h: { id: string; label: string | null; address: HouseholdAddress | null; createdBy: string },
    members: ReadonlyArray<{ id: string; subjectId: string; fromDate: string | null }>,
    now: Date,
  ): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('household')
        .values({
          id: h.id,
          created_at: now,
          label: h.label,
          line1: h.address?.line1 ?? null,
          line2: h.address?.line2 ?? null,
          town: h.address?.town ?? null,
          postcode: h.address?.postcode ?? null,
          created_by: h.createdBy,
        })
        .execute();
      if (members.length) {
        await trx
          .insertInto('household_member')
          .values(
            members.map((m) => ({
              subject_id: m.subjectId,
              id: m.id,
              household_id: h.id,
              from_date: m.fromDate,
              to_date: null,
              created_at: now,
              created_by: h.createdBy,
              ended_by: null,
            })),
          )
          .execute();
      }
    });
  }

  /** Someone joins a household; 'exists' when they already live there (a repeated submission). */
  async insertHouseholdMember(m: { id: string; householdId: string; subjectId: string; fromDate: string | null; createdBy: string }, now: Date): Promise<'created' | 'exists'> {
    try {
      await this.#h.db
        .insertInto('household_member')
        .values({ subject_id: m.subjectId, id: m.id, household_id: m.householdId, from_date: m.fromDate, to_date: null, created_at: now, created_by: m.createdBy, ended_by: null })
        .execute();
      return 'created';
    } catch (err) {
      if (isUniqueViolation(err, 'household_member_open')) return 'exists';
      throw err;
    }
  }

  /** Someone leaves a household (the membership is kept, with its end); false if they had already left. */
  async endHouseholdMember(householdId: string, subjectId: string, toDate: string, endedBy: string): Promise<boolean> {
    const r = await this.#h.db
      .updateTable('household_member')
      .set({ to_date: toDate, ended_by: endedBy })
      .where('subject_id', '=', subjectId)
      .where('household_id', '=', householdId)
      .where('to_date', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async insertName(subjectId: string, n: NewName & { id: string }, now: Date): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      if (n.kind === 'current') {
        // The old current name becomes a previous name.
        await trx.updateTable('person_name').set({ kind: 'previous' }).where('subject_id', '=', subjectId).where('kind', '=', 'current').execute();
      }
      await trx
        .insertInto('person_name')
        .values(nameRow(subjectId, n, now))
        .execute();
      await trx.updateTable('person').set({ updated_at: now }).where('subject_id', '=', subjectId).execute();
    });
  }

  async insertAddress(
    subjectId: string,
    a: { id: string; line1: string; line2: string | null; town: string | null; postcode: string; fromDate: string | null },
    now: Date,
  ): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      // The new address is current: any open one ends the day it starts.
      await trx
        .updateTable('person_address')
        .set({ to_date: a.fromDate ?? now.toISOString().slice(0, 10) })
        .where('subject_id', '=', subjectId)
        .where('to_date', 'is', null)
        .execute();
      await trx
        .insertInto('person_address')
        .values({ subject_id: subjectId, id: a.id, line1: a.line1, line2: a.line2, town: a.town, postcode: a.postcode, from_date: a.fromDate, to_date: null, created_at: now })
        .execute();
    });
  }

  async insertIdentifier(subjectId: string, i: { id: string; scheme: string; value: string; organisationId: string | null }, now: Date): Promise<void> {
    try {
      await this.#h.db
        .insertInto('person_identifier')
        .values({ subject_id: subjectId, id: i.id, scheme: i.scheme, value: i.value, organisation_id: i.organisationId, created_at: now })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateIdentifierError(i.scheme, i.value);
      throw err;
    }
  }

  async setFlags(subjectId: string, flags: { shielded?: boolean; deceased?: boolean; dateOfDeath?: string | null }, now: Date): Promise<void> {
    await this.#h.db
      .updateTable('person')
      .set({
        ...(flags.shielded !== undefined ? { shielded: flags.shielded } : {}),
        ...(flags.deceased !== undefined ? { deceased: flags.deceased } : {}),
        ...(flags.dateOfDeath !== undefined ? { date_of_death: flags.dateOfDeath } : {}),
        updated_at: now,
      })
      .where('subject_id', '=', subjectId)
      .execute();
  }

  // ----- search -----

  /**
   * Candidates for a search: people whose date of birth is one of `dates`, or whose names match
   * (`fullName`, or else a surname alone), or who lived at the postcode, or who hold the identifier.
   * Scoring and the policy are applied by the caller. `limit` caps each way of being a candidate.
   *
   * With a first name and surname (`fullName`) and no date of birth, candidates come from the
   * (family_phonetic, given_phonetic) index: surnames sounding like one given together with first
   * names sounding like the one given or any of its nicknames, the exact name first, then the exact
   * surname with a form of the first name, then the exact surname, before the cap. A few of everyone
   * with the exact surname (`surnameLimit`) are added for first names that neither sound alike nor
   * are nicknames (a middle name used as a first name, a misspelt first letter).
   */
  async searchCandidates(q: {
    dates?: readonly string[];
    familyPhonetics?: readonly string[];
    familyNorms?: readonly string[];
    fullName?: {
      familyPhonetics: readonly string[];
      familyNorms: readonly string[];
      givenPhonetics: readonly string[];
      /** The first names given, as typed (normalised): they rank first. */
      givenNorms: readonly string[];
      /** The first names given and their nicknames (normalised): they rank next. */
      givenForms: readonly string[];
      surnameLimit: number;
    };
    postcode?: string;
    identifier?: string;
    limit: number;
  }): Promise<SearchCandidate[]> {
    // Each way of being a candidate is its own limited subquery; their union picks the people, and the
    // same statement returns those people's names, postcodes and identifiers: one round trip.
    const sources: Array<RawBuilder<unknown>> = [];
    if (q.identifier) sources.push(sql`(select subject_id from person_identifier where value = ${q.identifier} limit ${q.limit})`);
    if (q.postcode) sources.push(sql`(select subject_id from person_address where postcode = ${q.postcode} limit ${q.limit})`);
    if (q.dates?.length) {
      // With a date of birth, everyone born that day (or on the swapped day) is a candidate; names are scored later.
      sources.push(sql`(select subject_id from person where date_of_birth in (${sql.join([...q.dates])}) limit ${q.limit})`);
    } else if (q.fullName && q.fullName.familyPhonetics.length && q.fullName.givenPhonetics.length) {
      const n = q.fullName;
      const family = sql`family_norm in (${sql.join([...n.familyNorms])})`;
      sources.push(sql`(select subject_id from person_name
        where family_phonetic in (${sql.join([...n.familyPhonetics])}) and given_phonetic in (${sql.join([...n.givenPhonetics])})
        order by (${family} and given_norm in (${sql.join([...n.givenNorms])})) desc,
                 (${family} and given_norm in (${sql.join([...n.givenForms])})) desc,
                 (${family}) desc
        limit ${q.limit})`);
      if (n.surnameLimit > 0) sources.push(sql`(select subject_id from person_name where ${family} limit ${n.surnameLimit})`);
    } else if (q.familyPhonetics?.length || q.familyNorms?.length) {
      const alike = [
        ...(q.familyPhonetics?.length ? [sql`family_phonetic in (${sql.join([...q.familyPhonetics])})`] : []),
        ...(q.familyNorms?.length ? [sql`family_norm in (${sql.join([...q.familyNorms])})`] : []),
      ];
      sources.push(sql`(select subject_id from person_name where ${sql.join(alike, sql` or `)} limit ${q.limit})`);
    }
    if (sources.length === 0) return [];
    return this.#candidatesWhere(sql`p.subject_id in (${sql.join(sources, sql` union `)})`);
  }

  async candidates(subjectIds: readonly string[]): Promise<SearchCandidate[]> {
    if (subjectIds.length === 0) return [];
    return this.#candidatesWhere(sql`p.subject_id in (${sql.join([...subjectIds])})`);
  }

  async #candidatesWhere(where: RawBuilder<unknown>): Promise<SearchCandidate[]> {
    const { rows } = await sql<{
      subject_id: string;
      sex: string;
      date_of_birth: string | null;
      dob_precision: string;
      shielded: boolean;
      deceased: boolean;
      names: Array<{ kind: string; given_names: string; family_name: string }>;
      postcodes: string[];
      identifiers: Array<{ scheme: string; value: string }>;
    }>`
      select p.subject_id, p.sex, p.date_of_birth, p.dob_precision, p.shielded, p.deceased,
        coalesce((select json_agg(json_build_object('kind', n.kind, 'given_names', n.given_names, 'family_name', n.family_name))
          from person_name n where n.subject_id = p.subject_id), '[]') as names,
        coalesce((select json_agg(distinct a.postcode) from person_address a where a.subject_id = p.subject_id), '[]') as postcodes,
        coalesce((select json_agg(json_build_object('scheme', i.scheme, 'value', i.value))
          from person_identifier i where i.subject_id = p.subject_id), '[]') as identifiers
      from person p
      where ${where}`.execute(this.#h.db);
    return rows.map((p) => ({
      subjectId: p.subject_id,
      sex: p.sex,
      dateOfBirth: p.date_of_birth,
      dobPrecision: p.dob_precision,
      shielded: p.shielded,
      deceased: p.deceased,
      names: p.names.map((x) => ({ kind: x.kind, givenNames: x.given_names, familyName: x.family_name })),
      postcodes: p.postcodes,
      identifiers: p.identifiers.map((x) => ({ scheme: x.scheme, value: x.value })),
    }));
  }

  // ----- reference data -----

  async involvementRoles(): Promise<Array<{ code: string; label: string }>> {
    return this.#h.db.selectFrom('involvement_role').selectAll().orderBy('label').execute();
  }

  async services(organisationId?: string): Promise<Array<{ id: string; organisationId: string; name: string; category: string; sensitiveKind: string | null }>> {
    let q = this.#h.db.selectFrom('service').select(['id', 'organisation_id', 'name', 'category', 'sensitive_kind']).orderBy('name');
    if (organisationId) q = q.where('organisation_id', '=', organisationId);
    return (await q.execute()).map((s) => ({ id: s.id, organisationId: s.organisation_id, name: s.name, category: s.category, sensitiveKind: s.sensitive_kind }));
  }

  async insertService(s: { id: string; organisationId: string; name: string; category: string; sensitiveKind: string | null; email: string | null; phone: string | null }, now: Date): Promise<void> {
    await this.#h.db
      .insertInto('service')
      .values({ id: s.id, organisation_id: s.organisationId, name: s.name, category: s.category, sensitive_kind: s.sensitiveKind, email: s.email, phone: s.phone, created_at: now })
      .execute();
  }

  // ----- enquiries, break-glass, notifications -----

  async openEnquiry(e: { subjectId: string; id: string; organisationId: string; openedBy: string; reason: string }, now: Date): Promise<void> {
    await this.#h.db
      .insertInto('enquiry')
      .values({ subject_id: e.subjectId, id: e.id, organisation_id: e.organisationId, opened_by: e.openedBy, opened_at: now, closed_at: null, reason: e.reason })
      .execute();
  }

  async closeEnquiries(subjectId: string, now: Date): Promise<void> {
    await this.#h.db.updateTable('enquiry').set({ closed_at: now }).where('subject_id', '=', subjectId).where('closed_at', 'is', null).execute();
  }

  /** Records an emergency access and the IG leads' notifications of it, in one transaction. */
  async insertBreakGlass(
    b: { subjectId: string; id: string; userId: string; organisationId: string; reason: string; startedAt: Date; expiresAt: Date },
    notifications: Array<{ id: string; recipientUserId: string; kind: string; subjectId: string | null; message: string; link: string | null }> = [],
  ): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('break_glass')
        .values({
          subject_id: b.subjectId,
          id: b.id,
          user_id: b.userId,
          organisation_id: b.organisationId,
          reason: b.reason,
          started_at: b.startedAt,
          expires_at: b.expiresAt,
          reviewed_at: null,
          reviewed_by: null,
          review_outcome: null,
          review_note: null,
        })
        .execute();
      if (notifications.length) {
        await trx
          .insertInto('notification')
          .values(notifications.map((n) => ({ id: n.id, recipient_user_id: n.recipientUserId, kind: n.kind, subject_id: n.subjectId, message: n.message, link: n.link, created_at: b.startedAt, read_at: null })))
          .execute();
      }
    });
  }

  async breakGlassQueue(reviewed: boolean, limit = 200) {
    const rows = await this.#h.db
      .selectFrom('break_glass as b')
      .innerJoin('app_user as u', 'u.id', 'b.user_id')
      .innerJoin('organisation as o', 'o.id', 'b.organisation_id')
      .leftJoin('app_user as r', 'r.id', 'b.reviewed_by')
      .select([
        'b.subject_id',
        'b.id',
        'b.reason',
        'b.started_at',
        'b.expires_at',
        'b.reviewed_at',
        'b.review_outcome',
        'b.review_note',
        'u.display_name as user_name',
        'u.email as user_email',
        'o.name as organisation_name',
        'r.display_name as reviewer_name',
      ])
      .where('b.reviewed_at', reviewed ? 'is not' : 'is', null)
      .orderBy('b.started_at', reviewed ? 'desc' : 'asc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      subjectId: r.subject_id,
      id: r.id,
      reason: r.reason,
      startedAt: r.started_at,
      expiresAt: r.expires_at,
      reviewedAt: r.reviewed_at,
      reviewOutcome: r.review_outcome,
      reviewNote: r.review_note,
      userName: r.user_name,
      userEmail: r.user_email,
      organisationName: r.organisation_name,
      reviewerName: r.reviewer_name,
    }));
  }

  async reviewBreakGlass(subjectId: string, id: string, review: { reviewedBy: string; outcome: string; note: string | null }, now: Date): Promise<boolean> {
    const r = await this.#h.db
      .updateTable('break_glass')
      .set({ reviewed_at: now, reviewed_by: review.reviewedBy, review_outcome: review.outcome, review_note: review.note })
      .where('subject_id', '=', subjectId)
      .where('id', '=', id)
      .where('reviewed_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async insertNotifications(rows: Array<{ id: string; recipientUserId: string; kind: string; subjectId: string | null; message: string; link: string | null }>, now: Date): Promise<void> {
    if (rows.length === 0) return;
    await this.#h.db
      .insertInto('notification')
      .values(rows.map((n) => ({ id: n.id, recipient_user_id: n.recipientUserId, kind: n.kind, subject_id: n.subjectId, message: n.message, link: n.link, created_at: now, read_at: null })))
      .execute();
  }

  /**
   * Claims, for `today`, every unreviewed break-glass entry that began before `startedBefore` and
   * was not yet reminded about today, and inserts the notifications `notificationsFor` makes for
   * them, in one transaction: a throw from `notificationsFor` claims nothing. Two runs at once
   * claim each entry once (the second waits on the first's row locks, then finds it reminded).
   */
  async claimReviewReminders(
    claim: { today: string; startedBefore: Date; now: Date },
    notificationsFor: (due: ReviewReminderEntry[]) => Array<{ id: string; recipientUserId: string; kind: string; subjectId: string | null; message: string; link: string | null }>,
  ): Promise<ReviewReminderEntry[]> {
    return this.#h.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('break_glass')
        .set({ last_reminded_on: claim.today })
        .where('reviewed_at', 'is', null)
        .where('started_at', '<', claim.startedBefore)
        .where((eb) => eb.or([eb('last_reminded_on', 'is', null), eb('last_reminded_on', '<', claim.today)]))
        .returning(['subject_id', 'id'])
        .execute();
      if (claimed.length === 0) return [];
      const rows = await trx
        .selectFrom('break_glass as b')
        .innerJoin('app_user as u', 'u.id', 'b.user_id')
        .innerJoin('organisation as o', 'o.id', 'b.organisation_id')
        .select(['b.subject_id', 'b.id', 'b.started_at', 'u.display_name as user_name', 'o.name as organisation_name'])
        .where('b.subject_id', 'in', [...new Set(claimed.map((c) => c.subject_id))])
        .where('b.id', 'in', claimed.map((c) => c.id))
        .orderBy('b.started_at')
        .execute();
      const due = rows.map((r) => ({ subjectId: r.subject_id, id: r.id, startedAt: r.started_at, userName: r.user_name, organisationName: r.organisation_name }));
      const notifications = notificationsFor(due);
      if (notifications.length > 0) {
        await trx
          .insertInto('notification')
          .values(notifications.map((n) => ({ id: n.id, recipient_user_id: n.recipientUserId, kind: n.kind, subject_id: n.subjectId, message: n.message, link: n.link, created_at: claim.now, read_at: null })))
          .execute();
      }
      return due;
    });
  }

  async notificationsFor(userId: string, limit = 50) {
    const rows = await this.#h.db.selectFrom('notification').selectAll().where('recipient_user_id', '=', userId).orderBy('created_at', 'desc').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, kind: r.kind, subjectId: r.subject_id, message: r.message, link: r.link, createdAt: r.created_at, readAt: r.read_at }));
  }

  async markNotificationsRead(userId: string, now: Date): Promise<void> {
    await this.#h.db.updateTable('notification').set({ read_at: now }).where('recipient_user_id', '=', userId).where('read_at', 'is', null).execute();
  }

  async usersWithRole(role: string): Promise<string[]> {
    const rows = await this.#h.db
      .selectFrom('user_role as r')
      .innerJoin('app_user as u', 'u.id', 'r.user_id')
      .select('u.id')
      .where('r.role_code', '=', role)
      .where('u.status', '=', 'active')
      .execute();
    return rows.map((r) => r.id);
  }
}

export class RepeatedRequestError extends Error {
  constructor() {
    super('This request was already made');
    this.name = 'RepeatedRequestError';
  }
}
