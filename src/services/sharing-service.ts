import { z } from 'zod';
import type { Actor, AuditContext, AuditService } from '../audit/audit-service.ts';
import { newId } from '../ids.ts';
import {
  CASE_CATEGORIES,
  DATA_CATEGORIES,
  mayApproveShare,
  mayReportOnSharing,
  type Basis,
  type DataCategory,
  type Decision,
  type DisclosedItem,
} from '../policy/access-policy.ts';
import { AccessDeniedError, requesterOf, type PolicyGate } from '../policy/policy-gate.ts';
import type { OrganisationRepository } from '../repositories/organisation-repository.ts';
import type { Involvement, PeopleRepository, PersonRecord, Relationship } from '../repositories/people-repository.ts';
import type { DecisionFilter, Disclosure, NewDisclosure, RecordNote, SharingDecision, SharingRepository } from '../repositories/sharing-repository.ts';
import type { UserRepository } from '../repositories/user-repository.ts';
import { agreementCoverage, assessDecision, consentCoverage, PURPOSES, SHAREABLE_CATEGORIES, type AgreementCoverage, type ConsentCoverage } from '../sharing/rules.ts';
import { isoDate, parse } from './person-service.ts';
import { actorOf, ForbiddenError, NotFoundError, ValidationError, type Principal } from './principal.ts';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const yesNo = (label: string) =>
  z.preprocess((v) => (v === 'yes' || v === 'true' ? true : v === 'no' || v === 'false' ? false : v), z.boolean({ error: `Answer yes or no: ${label}` }));
const flag = z.preprocess((v) => v === 'yes' || v === 'true' || v === 'on' || v === true, z.boolean());

/** Bases on which a practitioner holds information they may pass on (not what was disclosed to them or seen in an emergency). */
const SHARE_BASES: readonly Basis[] = ['relationship', 'recorded-by', 'mash-enquiry', 'own-organisation'];
/** How long a disclosure lasts when the sharer does not say. */
const DEFAULT_DISCLOSURE_DAYS = 90;
/** How often a pending approval is chased: an emergency share hourly, any other daily. Escalated to the IG lead from the third chase. */
export const CHASE_EVERY_MS = { emergency: 60 * 60_000, routine: 24 * 60 * 60_000 };
const ESCALATE_AFTER_CHASES = 3;

export const itemSchema = z.object({
  type: z.enum(['identity', 'address', 'involvement', 'relationship', 'note'], { error: 'Choose items of the record' }),
  id: z.preprocess(blankToUndefined, z.uuid('Choose items of the record').optional()),
});

export const decisionSchema = z
  .object({
    purpose: z.enum(PURPOSES, { error: 'Choose the purpose of sharing' }),
    purposeDetail: z.string({ error: 'Describe the purpose of sharing' }).trim().max(2000),
    requestFrom: z.preprocess(blankToUndefined, z.string().trim().max(500).optional()),
    recipientOrganisationId: z.preprocess(blankToUndefined, z.uuid('Choose the recipient organisation').optional()),
    recipientTeamId: z.preprocess(blankToUndefined, z.uuid('Choose the recipient team').optional()),
    recipientUserId: z.preprocess(blankToUndefined, z.uuid('Choose the recipient practitioner').optional()),
    recipientDescription: z.preprocess(blankToUndefined, z.string().trim().max(500).optional()),
    identifies: yesNo('does the information identify someone?'),
    confidential: yesNo('is the information confidential?'),
    consentPosition: z.enum(['given', 'refused', 'withdrawn', 'not_sought', 'not_needed'], { error: 'Say what consent there is' }),
    notSeekingReason: z.preprocess(blankToUndefined, z.enum(['unsafe', 'impracticable', 'prejudice_crime', 'cannot_consent'], { error: 'Choose why consent was not sought' }).optional()),
    notSeekingDetail: z.preprocess(blankToUndefined, z.string().trim().max(4000).optional()),
    riskChild: flag.default(false),
    riskAdult: flag.default(false),
    publicInterest: flag.default(false),
    riskDetail: z.preprocess(blankToUndefined, z.string().trim().max(4000).optional()),
    legalBases: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.string()).max(20).default([])),
    items: z.array(itemSchema).max(200).default([]),
    message: z.preprocess(blankToUndefined, z.string().trim().max(8000).optional()),
    expiresOn: z.preprocess(blankToUndefined, isoDate('the date access ends').optional()),
    minimumNecessary: z.preprocess(blankToUndefined, z.string().trim().max(4000).optional()),
    withheld: z.preprocess(blankToUndefined, z.string().trim().max(4000).optional()),
    personTold: z.enum(['told', 'will_tell', 'not_told'], { error: 'Say whether the person will be told' }),
    notToldReason: z.preprocess(blankToUndefined, z.string().trim().max(2000).optional()),
    outcome: z.enum(['share', 'share_in_part', 'not_share'], { error: 'Choose the decision: share, share in part, or do not share' }),
    reasons: z.string({ error: 'Give the reasons for the decision' }).trim().max(8000),
    emergency: flag.default(false),
    routine: flag.default(false),
    oneOffJustification: z.preprocess(blankToUndefined, z.string().trim().max(4000).optional()),
  })
  .superRefine((v, ctx) => {
    const named = [v.recipientOrganisationId, v.recipientTeamId, v.recipientUserId].filter(Boolean).length;
    if (named > 1) ctx.addIssue({ code: 'custom', path: ['recipient'], message: 'Choose one recipient: a practitioner, a team or an organisation' });
    if (v.expiresOn && v.expiresOn <= new Date().toISOString().slice(0, 10)) ctx.addIssue({ code: 'custom', path: ['expiresOn'], message: 'The date access ends must be in the future' });
  });
export type DecisionInput = z.input<typeof decisionSchema>;

export const approvalSchema = z
  .object({
    decision: z.enum(['approve', 'decline'], { error: 'Choose approve or decline' }),
    note: z.preprocess(blankToUndefined, z.string().trim().max(4000).optional()),
  })
  .refine((v) => v.decision === 'approve' || (v.note?.length ?? 0) >= 10, { path: ['note'], message: 'Say why you decline, in at least 10 characters' });

export const revokeSchema = z.object({
  reason: z.string({ error: 'Say why access is being withdrawn' }).trim().min(10, 'Say why access is being withdrawn, in at least 10 characters').max(2000),
});

export const noteSchema = z.object({
  category: z.enum(CASE_CATEGORIES as [DataCategory, ...DataCategory[]], { error: 'Choose the kind of information' }),
  kind: z.enum(['note', 'alert', 'assessment', 'risk'], { error: 'Choose note, alert, assessment or risk' }),
  title: z.string({ error: 'Enter a title' }).trim().min(3, 'Enter a title').max(200),
  body: z.string({ error: 'Enter the note' }).trim().min(3, 'Enter the note').max(20000),
});

export const reportSchema = z.object({
  withConsent: z.preprocess(blankToUndefined, yesNo('with consent').optional()),
  override: z.preprocess(blankToUndefined, yesNo('overrides').optional()),
  approvalStatus: z.preprocess(blankToUndefined, z.enum(['pending', 'approved', 'declined']).optional()),
  outcome: z.preprocess(blankToUndefined, z.enum(['share', 'share_in_part', 'not_share']).optional()),
  emergency: z.preprocess(blankToUndefined, yesNo('emergency').optional()),
  from: z.preprocess(blankToUndefined, isoDate('the start date').optional()),
  to: z.preprocess(blankToUndefined, isoDate('the end date').optional()),
});

export const contextQuerySchema = z.object({
  purpose: z.enum(PURPOSES, { error: 'Choose the purpose of sharing' }),
  recipientOrganisationId: z.preprocess(blankToUndefined, z.uuid('Choose the recipient organisation').optional()),
  categories: z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(z.enum(SHAREABLE_CATEGORIES as [DataCategory, ...DataCategory[]])).default([])),
});

/** One item of a record, resolved for showing (to the sharer when choosing, to the recipient when opened). */
export interface RecordItem {
  type: DisclosedItem['type'];
  id: string | null;
  category: DataCategory;
  /** The agency that holds a note or an involvement (the visibility rule for notes needs it). */
  organisationId?: string;
  label: string;
  detail: string;
}

export interface DisclosureView extends Disclosure {
  /** The items as the recipient may see them now (nothing once revoked or expired). */
  shown: RecordItem[];
  /** Items sent that the recipient can no longer see, each with why. */
  unavailable: Array<{ type: string; id: string | null; reason: string }>;
  subjectName: string | null;
  subjectDateOfBirth: string | null;
}

const today = (d: Date) => d.toISOString().slice(0, 10);

/** Sent to this practitioner, one of their teams, or their organisation: who may acknowledge a disclosure. */
export function isDisclosureRecipient(p: Principal, d: Disclosure): boolean {
  return d.recipientUserId === p.userId || (d.recipientTeamId !== null && p.teamIds.includes(d.recipientTeamId)) || d.recipientOrganisationId === p.organisationId;
}

/**
 * Sharing decisions (share, share in part, do not share) following the government guidance, their
 * approval, the disclosures that carry exactly the chosen items, the recipient's inbox, the
 * person's sharing history and the subject access export. Every read and write of a person's data
 * passes the PolicyGate, which audits it; an organisation's own reports pass the policy's
 * organisation rules and are audited here.
 */
export class SharingService {
  readonly #sharing: SharingRepository;
  readonly #people: PeopleRepository;
  readonly #orgs: OrganisationRepository;
  readonly #users: UserRepository;
  readonly #gate: PolicyGate;
  readonly #audit: AuditService;

  constructor(deps: { sharing: SharingRepository; people: PeopleRepository; organisations: OrganisationRepository; users: UserRepository; gate: PolicyGate; audit: AuditService }) {
    this.#sharing = deps.sharing;
    this.#people = deps.people;
    this.#orgs = deps.organisations;
    this.#users = deps.users;
    this.#gate = deps.gate;
    this.#audit = deps.audit;
  }

  async referenceData() {
    const [purposes, legalBases] = await Promise.all([this.#sharing.purposes(), this.#sharing.legalBases()]);
    return { purposes, legalBases: [...legalBases.values()] };
  }

  // ----- items of a record -----

  async #load(subjectId: string) {
    const [person, relationships, involvements, notes] = await Promise.all([
      this.#people.findPerson(subjectId),
      this.#people.relationships(subjectId),
      this.#people.involvements([subjectId]),
      this.#sharing.notes(subjectId),
    ]);
    if (!person) throw new NotFoundError('No such person');
    return { person, relationships, involvements, notes };
  }

  /** Every item of the record, resolved; `mayShow` filters them by the caller's decision. */
  #items(
    rec: { person: PersonRecord; relationships: Relationship[]; involvements: Involvement[]; notes: RecordNote[] },
    keep: (item: { type: DisclosedItem['type']; id: string | null; category: DataCategory; organisationId?: string }) => boolean,
  ): RecordItem[] {
    const out: RecordItem[] = [];
    const { person } = rec;
    const current = person.names.find((n) => n.kind === 'current') ?? person.names[0];
    const identity = { type: 'identity' as const, id: null, category: 'identity' as DataCategory };
    if (keep(identity)) {
      out.push({ ...identity, label: `${current?.givenNames ?? ''} ${current?.familyName ?? ''}`.trim(), detail: `Date of birth: ${person.dateOfBirth ?? 'not known'}${person.dobPrecision === 'expected' ? ' (expected)' : ''}` });
    }
    for (const a of person.addresses) {
      const item = { type: 'address' as const, id: a.id, category: 'whereabouts' as DataCategory };
      if (keep(item)) out.push({ ...item, label: [a.line1, a.line2, a.town, a.postcode].filter(Boolean).join(', '), detail: a.toDate ? `Lived here until ${a.toDate}` : 'Current address' });
    }
    for (const r of rec.relationships) {
      const item = { type: 'relationship' as const, id: r.id, category: 'family' as DataCategory };
      if (keep(item)) out.push({ ...item, label: `${r.related.givenNames} ${r.related.familyName} is their ${r.inverseLabel}`, detail: r.toDate ? `Ended ${r.toDate}` : 'Current' });
    }
    for (const i of rec.involvements) {
      const item = { type: 'involvement' as const, id: i.id, category: 'involvements' as DataCategory, organisationId: i.organisationId };
      if (keep(item)) {
        out.push({
          ...item,
          label: `${i.roleLabel}: ${[i.practitionerName, i.teamName, i.organisationName].filter(Boolean).join(', ')}`,
          detail: [`Since ${i.startDate}${i.endDate ? `, until ${i.endDate}` : ''}`, i.practitionerEmail ?? i.teamEmail, i.practitionerPhone ?? i.teamPhone].filter(Boolean).join(' · '),
        });
      }
    }
    for (const n of rec.notes) {
      const item = { type: 'note' as const, id: n.id, category: n.category, organisationId: n.organisationId };
      if (keep(item)) out.push({ ...item, label: `${n.kind[0]!.toUpperCase()}${n.kind.slice(1)}: ${n.title}`, detail: `${n.body}\n(${n.organisationName}, ${n.recordedByName}, ${today(n.recordedAt)})` });
    }
    return out;
  }

  /**
   * Whether the decision lets the caller see an item: its category must be allowed; categories open
   * only by a disclosure show exactly the disclosed items; an agency's notes are its own, seen by
   * its practitioners who work with the person, the MASH on an open enquiry, or a recipient.
   */
  #visibleTo(p: Principal, d: Decision, bases: readonly Basis[] | null) {
    const hidden = new Set(d.hiddenInvolvementIds);
    return (item: { type: DisclosedItem['type']; id: string | null; category: DataCategory; organisationId?: string }) => {
      if (!d.allowed.includes(item.category)) return false;
      const basis = d.basisByCategory[item.category];
      if (!basis || (bases && !bases.includes(basis))) return false;
      if (item.type === 'involvement' && item.id && hidden.has(item.id)) return false;
      if (basis === 'disclosure') {
        return d.disclosedItems.some((x) => x.category === item.category && (x.type === 'all' || (x.type === item.type && x.id === item.id)));
      }
      if (item.type === 'note' && basis !== 'mash-enquiry' && basis !== 'information-governance') return item.organisationId === p.organisationId;
      return true;
    };
  }

  /** The items of the record the practitioner may pass on, to choose from. */
  async shareable(p: Principal, subjectId: string, ctx: AuditContext): Promise<{ items: RecordItem[]; categories: DataCategory[]; withheld: Decision['redacted'] }> {
    const { decision } = await this.#gate.check(
      p,
      { action: 'read', subjectId, categories: SHAREABLE_CATEGORIES, purpose: 'choose what to share', auditAction: 'sharing.items.read' },
      ctx,
    );
    const rec = await this.#load(subjectId);
    const items = this.#items(rec, this.#visibleTo(p, decision, SHARE_BASES));
    return { items, categories: [...new Set(items.map((i) => i.category))], withheld: decision.redacted };
  }

  /** What the guided decision fills in for the practitioner: consent on record and the agreement position. */
  async context(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<{ coverage: ConsentCoverage; agreement: AgreementCoverage | null }> {
    const q = parse(contextQuerySchema, input);
    await this.#gate.check(p, { action: 'read', subjectId, categories: ['consent'], purpose: 'decide whether to share', auditAction: 'consent.check', details: { purpose: q.purpose } }, ctx);
    const org = q.recipientOrganisationId ? await this.#orgs.findById(q.recipientOrganisationId) : undefined;
    if (q.recipientOrganisationId && !org) throw new ValidationError({ recipientOrganisationId: 'Choose an organisation that is recorded' });
    const now = this.#gate.now();
    const categories = q.categories.length ? q.categories : (['identity'] as DataCategory[]);
    const coverage = consentCoverage(await this.#sharing.consents(subjectId), { purpose: q.purpose, organisationId: org?.id ?? null, organisationType: org?.typeCode ?? null, categories, date: today(now) }, now);
    const agreement =
      org && org.id !== p.organisationId
        ? agreementCoverage(await this.#sharing.agreementFactsBetween(p.organisationId, org.id), { fromOrganisationId: p.organisationId, toOrganisationId: org.id, purpose: q.purpose, categories, date: today(now) })
        : null;
    return { coverage, agreement };
  }

  // ----- the decision -----

  async decide(
    p: Principal,
    subjectId: string,
    input: unknown,
    ctx: AuditContext,
    options: { requestKey?: string | undefined } = {},
  ): Promise<{ id: string; status: SharingDecision['status']; approvalRequired: boolean; disclosureId: string | null; flags: string[]; repeated: boolean }> {
    const v = parse(decisionSchema, input);
    if (options.requestKey) {
      const existing = await this.#sharing.decisionByRequestKey(subjectId, options.requestKey);
      if (existing) {
        const d = (await this.#sharing.decision(subjectId, existing))!;
        return { id: d.id, status: d.status, approvalRequired: d.approvalRequired, disclosureId: d.disclosureId, flags: [], repeated: true };
      }
    }
    const shares = v.outcome !== 'not_share';

    // The recipient, inside the partnership.
    let recipientOrgId = v.recipientOrganisationId ?? null;
    const problems: Record<string, string> = {};
    if (v.recipientUserId) {
      const u = await this.#users.findById(v.recipientUserId);
      if (!u || u.status !== 'active') problems.recipient = 'Choose an active practitioner';
      else recipientOrgId = u.organisationId;
    } else if (v.recipientTeamId) {
      const t = await this.#orgs.findTeam(v.recipientTeamId);
      if (!t) problems.recipient = 'Choose a recorded team';
      else recipientOrgId = t.organisationId;
    }
    const recipientOrg = recipientOrgId ? await this.#orgs.findById(recipientOrgId) : undefined;
    if (recipientOrgId && !recipientOrg) problems.recipient = 'Choose a recorded organisation';
    if (!shares && !recipientOrg && !v.recipientDescription && !v.requestFrom) {
      problems.recipient = 'Say who asked for the information or who it would have gone to';
    }

    // What would go: exactly the chosen items, always with who the person is.
    const itemKeys = new Map<string, { type: DisclosedItem['type']; id: string | null }>();
    for (const i of v.items) itemKeys.set(`${i.type}:${i.id ?? ''}`, { type: i.type, id: i.id ?? null });
    if (shares) itemKeys.set('identity:', { type: 'identity', id: null });

    // The sharer may share only what they hold on a working basis: the policy decides, all or nothing.
    const rec = await this.#load(subjectId);
    const resolved = this.#items(rec, () => true);
    const chosen: RecordItem[] = [];
    for (const [key, want] of itemKeys) {
      const found = resolved.find((r) => r.type === want.type && r.id === want.id);
      if (!found) problems[`items`] = `An item chosen is not part of this person's record (${key})`;
      else chosen.push(found);
    }
    const categories = [...new Set(chosen.map((c) => c.category))];
    const { decision } = await this.#gate.check(
      p,
      {
        action: 'share',
        subjectId,
        categories: shares ? categories : ['identity'],
        purpose: v.purpose,
        reason: v.purposeDetail,
        auditAction: 'sharing.decision',
        details: { outcome: v.outcome, recipientOrganisationId: recipientOrgId, items: chosen.length },
      },
      ctx,
    );
    if (shares) {
      const may = this.#visibleTo(p, decision, SHARE_BASES);
      const notMine = chosen.filter((c) => !may(c));
      // Named only where the sharer may see the item; otherwise only its kind, so the refusal tells nothing new.
      const seen = this.#visibleTo(p, decision, null);
      const named = notMine.map((n) => (seen(n) ? n.label : `an item you cannot see (${n.category.replaceAll('_', ' ')})`));
      if (notMine.length) problems.items = `You cannot pass on ${named.join('; ')}: only what your organisation holds and you work with can be shared`;
    }

    const now = this.#gate.now();
    const [consents, legalBases] = await Promise.all([this.#sharing.consents(subjectId), this.#sharing.legalBases()]);
    const coverage = consentCoverage(consents, { purpose: v.purpose, organisationId: recipientOrg?.id ?? null, organisationType: recipientOrg?.typeCode ?? null, categories, date: today(now) }, now);
    const agreement =
      shares && recipientOrg && recipientOrg.id !== p.organisationId
        ? agreementCoverage(await this.#sharing.agreementFactsBetween(p.organisationId, recipientOrg.id), { fromOrganisationId: p.organisationId, toOrganisationId: recipientOrg.id, purpose: v.purpose, categories, date: today(now) })
        : null;
    const assessment = assessDecision(
      {
        ...v,
        purposeDetail: v.purposeDetail,
        legalBases: v.legalBases,
        categories,
        hasRecipient: Boolean(recipientOrg),
        itemCount: v.items.length,
      },
      { coverage, legalBases, agreement },
    );
    Object.assign(problems, assessment.errors);
    if (Object.keys(problems).length) throw new ValidationError(problems);

    const id = newId();
    // A share without consent waits for approval; so does a decision not to share despite a recorded risk of harm.
    const approvalPending = assessment.approvalRequired;
    const sendNow = shares && (!assessment.approvalRequired || v.emergency);
    const expiresAt = v.expiresOn ? new Date(`${v.expiresOn}T23:59:59Z`) : new Date(now.getTime() + DEFAULT_DISCLOSURE_DAYS * 86_400_000);
    const items: DisclosedItem[] = chosen.map((c) => ({ type: c.type, id: c.id, category: c.category }));
    const disclosure: NewDisclosure | null = sendNow
      ? {
          subjectId,
          id: newId(),
          decisionId: id,
          senderUserId: p.userId,
          senderOrganisationId: p.organisationId,
          recipientUserId: v.recipientUserId ?? null,
          recipientTeamId: v.recipientUserId ? null : (v.recipientTeamId ?? null),
          recipientOrganisationId: v.recipientUserId || v.recipientTeamId ? null : recipientOrgId,
          purpose: v.purpose,
          message: v.message ?? null,
          categories,
          items,
          grantedAt: now,
          expiresAt,
        }
      : null;
    const status: SharingDecision['status'] = sendNow ? 'shared' : approvalPending ? 'awaiting_approval' : 'recorded';
    const emergency = shares && approvalPending && v.emergency;
    try {
      await this.#sharing.insertDecision(
        {
          subject_id: subjectId,
          id,
          organisation_id: p.organisationId,
          decided_by: p.userId,
          created_at: now,
          updated_at: now,
          purpose: v.purpose,
          purpose_detail: v.purposeDetail,
          request_from: v.requestFrom ?? null,
          recipient_organisation_id: recipientOrgId,
          recipient_team_id: v.recipientTeamId ?? null,
          recipient_user_id: v.recipientUserId ?? null,
          recipient_description: v.recipientDescription ?? null,
          identifies: v.identifies,
          confidential: v.confidential,
          consent_position: v.consentPosition,
          consent_id: coverage.consentId,
          not_seeking_reason: v.notSeekingReason ?? null,
          not_seeking_detail: v.notSeekingDetail ?? null,
          risk_child: v.riskChild,
          risk_adult: v.riskAdult,
          public_interest: v.publicInterest,
          risk_detail: v.riskDetail ?? null,
          legal_bases: [...new Set(v.legalBases)],
          categories,
          minimum_necessary: v.minimumNecessary ?? null,
          withheld: v.withheld ?? null,
          person_told: v.personTold,
          not_told_reason: v.notToldReason ?? null,
          outcome: v.outcome,
          reasons: v.reasons,
          with_consent: assessment.withConsent,
          override: shares && assessment.override,
          emergency,
          routine: v.routine,
          agreement_id: agreement?.agreementId ?? null,
          agreement_status: agreement?.status ?? (shares ? 'not_applicable' : null),
          one_off_justification: v.oneOffJustification ?? null,
          approval_required: approvalPending,
          approval_status: approvalPending ? 'pending' : null,
          approval_requested_at: approvalPending ? now : null,
          approved_by: null,
          approved_at: null,
          approval_note: null,
          last_chased_at: null,
          chase_count: 0,
          share_items: JSON.stringify(items),
          share_message: v.message ?? null,
          share_expires_at: shares ? expiresAt : null,
          status,
          disclosure_id: disclosure?.id ?? null,
          request_key: options.requestKey ?? null,
        },
        disclosure,
      );
    } catch (err) {
      if (options.requestKey && /unique|duplicate/i.test(String((err as Error).message))) {
        const existing = await this.#sharing.decisionByRequestKey(subjectId, options.requestKey);
        if (existing) {
          const d = (await this.#sharing.decision(subjectId, existing))!;
          return { id: d.id, status: d.status, approvalRequired: d.approvalRequired, disclosureId: d.disclosureId, flags: [], repeated: true };
        }
      }
      throw err;
    }
    const audits: Array<Promise<unknown>> = [
      this.#audit.record({
        actor: actorOf(p),
        action: `sharing.decision.${v.outcome.replace(/_/g, '-')}`,
        outcome: 'success',
        subjectType: 'person',
        subjectId,
        purpose: v.purpose,
        reason: v.reasons.slice(0, 1000),
        details: {
          decisionId: id,
          withConsent: assessment.withConsent,
          override: shares && assessment.override,
          approvalRequired: approvalPending,
          emergency,
          legalBases: v.legalBases,
          categories,
          recipientOrganisationId: recipientOrgId,
          agreement: agreement?.status ?? null,
          flags: assessment.flags,
        },
        context: ctx,
      }),
    ];
    if (disclosure) audits.push(this.#auditDisclosure(p, disclosure, ctx));
    await Promise.all(audits);
    if (approvalPending) await this.#askForApproval(p.organisationId, p.userId, subjectId, id, emergency, now, !shares);
    if (disclosure) await this.#tellRecipients(disclosure, p, now);
    return { id, status, approvalRequired: approvalPending, disclosureId: disclosure?.id ?? null, flags: assessment.flags, repeated: false };
  }

  #auditDisclosure(p: Principal, d: NewDisclosure, ctx: AuditContext): Promise<unknown> {
    return this.#audit.record({
      actor: actorOf(p),
      action: 'disclosure.send',
      outcome: 'success',
      subjectType: 'person',
      subjectId: d.subjectId,
      purpose: d.purpose,
      details: {
        disclosureId: d.id,
        decisionId: d.decisionId,
        recipientUserId: d.recipientUserId,
        recipientTeamId: d.recipientTeamId,
        recipientOrganisationId: d.recipientOrganisationId,
        categories: d.categories,
        items: d.items,
        expiresAt: d.expiresAt?.toISOString() ?? null,
      },
      context: ctx,
    });
  }

  async #notify(userIds: Iterable<string>, n: { kind: string; subjectId: string | null; message: string; link: string | null }, now: Date) {
    const rows = [...new Set(userIds)].map((recipientUserId) => ({ id: newId(), recipientUserId, ...n }));
    await this.#people.insertNotifications(rows, now);
  }

  async #askForApproval(organisationId: string, decidedBy: string, subjectId: string, decisionId: string, emergency: boolean, now: Date, notShare = false) {
    const managers = (await this.#sharing.organisationUsersWithRole(organisationId, ['team_manager'])).filter((u) => u !== decidedBy);
    await this.#notify(
      managers,
      {
        kind: 'sharing.approval-needed',
        subjectId,
        message: notShare
          ? 'A decision not to share although a risk of harm is recorded is waiting for your sign-off'
          : emergency
            ? 'Emergency share without consent already sent: your approval is needed now'
            : 'A decision to share without consent is waiting for your approval: nothing is sent until you approve',
        link: `/sharing/decisions/${subjectId}/${decisionId}`,
      },
      now,
    );
  }

  async #recipientUsers(d: { recipientUserId: string | null; recipientTeamId: string | null; recipientOrganisationId: string | null }): Promise<string[]> {
    if (d.recipientUserId) return [d.recipientUserId];
    if (d.recipientTeamId) return this.#sharing.teamMemberIds(d.recipientTeamId);
    if (d.recipientOrganisationId) return this.#sharing.organisationUsersWithRole(d.recipientOrganisationId, ['team_manager', 'mash_officer']);
    return [];
  }

  async #tellRecipients(d: NewDisclosure, p: Principal, now: Date) {
    await this.#notify(
      await this.#recipientUsers(d),
      { kind: 'disclosure.received', subjectId: d.subjectId, message: `${p.organisationName} shared information with you: open your inbox to see it and acknowledge it`, link: `/inbox/${d.subjectId}/${d.id}` },
      now,
    );
  }

  async decision(p: Principal, subjectId: string, id: string, ctx: AuditContext): Promise<SharingDecision & { items: RecordItem[] }> {
    const d = await this.#sharing.decision(subjectId, id);
    if (!d) throw new NotFoundError('No such sharing decision');
    // The decider, managers of the deciding organisation and its IG lead see it; so do the IG lead and lead professional via sharing history.
    const mine = d.decidedBy === p.userId || mayReportOnSharing(requesterOf(p), d.organisationId).allow;
    if (!mine) {
      await this.#gate.check(p, { action: 'read', subjectId, categories: ['sharing_history'], purpose: 'review a sharing decision', auditAction: 'sharing.decision.read', details: { decisionId: id } }, ctx);
    } else {
      await this.#audit.record({ actor: actorOf(p), action: 'sharing.decision.read', outcome: 'success', subjectType: 'person', subjectId, purpose: 'review a sharing decision', details: { decisionId: id, basis: 'own organisation\'s decision' }, context: ctx });
    }
    const rec = await this.#load(subjectId);
    const stored = (await this.#sharing.decisionItems(subjectId, id)) ?? [];
    const all = this.#items(rec, () => true);
    return { ...d, items: stored.map((s) => all.find((a) => a.type === s.type && a.id === s.id) ?? { ...s, label: 'An item no longer in the record', detail: '' }) };
  }

  // ----- approval -----

  async approvals(p: Principal, ctx: AuditContext): Promise<SharingDecision[]> {
    const may = mayReportOnSharing(requesterOf(p), p.organisationId);
    if (!may.allow || !p.roles.includes('team_manager')) throw new ForbiddenError('Only team managers approve sharing decisions');
    const pending = await this.#sharing.findDecisions({ organisationId: p.organisationId, approvalStatus: 'pending' });
    // Oldest first: the longest wait is the most urgent (findDecisions lists newest first).
    const waitedSince = (d: SharingDecision) => (d.approvalRequestedAt ?? d.createdAt).getTime();
    pending.sort((a, b) => waitedSince(a) - waitedSince(b));
    await this.#audit.record({ actor: actorOf(p), action: 'sharing.approvals.read', outcome: 'success', details: { pending: pending.length }, context: ctx });
    return pending;
  }

  async settle(p: Principal, subjectId: string, id: string, input: unknown, ctx: AuditContext): Promise<{ status: SharingDecision['status']; disclosureId: string | null }> {
    const v = parse(approvalSchema, input);
    const d = await this.#sharing.decision(subjectId, id);
    if (!d) throw new NotFoundError('No such sharing decision');
    const may = mayApproveShare(requesterOf(p), d);
    await this.#audit.record({
      actor: actorOf(p),
      action: v.decision === 'approve' ? 'sharing.approval.approve' : 'sharing.approval.decline',
      outcome: may.allow ? 'success' : 'denied',
      subjectType: 'person',
      subjectId,
      purpose: d.purpose,
      reason: v.note ?? may.reason,
      details: { decisionId: id, emergency: d.emergency },
      context: ctx,
    });
    if (!may.allow) throw new ForbiddenError(may.reason);
    if (d.approvalStatus !== 'pending') throw new ValidationError({ form: `This decision is no longer waiting for approval (it was ${d.approvalStatus ?? 'never sent for approval'})` });
    const now = this.#gate.now();
    let disclosure: NewDisclosure | null = null;
    const notShare = d.outcome === 'not_share';
    if (v.decision === 'approve' && !d.disclosureId && !notShare) {
      const shareItems = (await this.#sharing.decisionItems(subjectId, id)) ?? [];
      const extra = await this.#sharing.decisionShare(subjectId, id);
      disclosure = {
        subjectId,
        id: newId(),
        decisionId: id,
        senderUserId: d.decidedBy,
        senderOrganisationId: d.organisationId,
        recipientUserId: d.recipientUserId,
        recipientTeamId: d.recipientUserId ? null : d.recipientTeamId,
        recipientOrganisationId: d.recipientUserId || d.recipientTeamId ? null : d.recipientOrganisationId,
        purpose: d.purpose,
        message: extra?.message ?? null,
        categories: d.categories,
        items: shareItems,
        grantedAt: now,
        expiresAt: extra?.expiresAt && extra.expiresAt > now ? extra.expiresAt : new Date(now.getTime() + DEFAULT_DISCLOSURE_DAYS * 86_400_000),
      };
    }
    // Signing off a decision not to share records it; declining it sends it back (nothing was shared).
    const decisionStatus: SharingDecision['status'] = v.decision === 'approve' ? (notShare ? 'recorded' : 'shared') : 'declined';
    const ok = await this.#sharing.settleApproval(subjectId, id, {
      status: v.decision === 'approve' ? 'approved' : 'declined',
      by: p.userId,
      at: now,
      note: v.note ?? null,
      decisionStatus,
      disclosure,
      revokeDisclosureId: v.decision === 'decline' ? d.disclosureId : null,
    });
    if (!ok) throw new ValidationError({ form: 'This decision was settled by someone else a moment ago' });
    if (disclosure) {
      await this.#auditDisclosure({ ...p, userId: d.decidedBy, organisationId: d.organisationId } as Principal, disclosure, ctx);
      await this.#tellRecipients(disclosure, p, now);
    }
    if (v.decision === 'decline' && d.disclosureId) {
      await this.#audit.record({ actor: actorOf(p), action: 'disclosure.revoke', outcome: 'success', subjectType: 'person', subjectId, reason: 'The manager declined to approve this emergency share', details: { disclosureId: d.disclosureId, decisionId: id }, context: ctx });
    }
    await this.#notify(
      [d.decidedBy],
      {
        kind: v.decision === 'approve' ? 'sharing.approved' : 'sharing.declined',
        subjectId,
        message: notShare
          ? `${p.displayName} ${v.decision === 'approve' ? 'signed off' : 'did not agree with'} your decision not to share${v.decision === 'approve' ? '' : ': make a new decision'}`
          : v.decision === 'approve' ? `${p.displayName} approved your decision to share${d.emergency ? '' : ': it has been sent'}` : `${p.displayName} declined your decision to share${d.emergency ? ': access to what was sent has been withdrawn' : ''}`,
        link: `/sharing/decisions/${subjectId}/${id}`,
      },
      now,
    );
    return { status: decisionStatus, disclosureId: disclosure?.id ?? d.disclosureId };
  }

  /**
   * Chases pending approvals: managers are reminded (an emergency hourly, others daily) and, from the
   * third chase, the organisation's IG lead too. Safe to run from several processes at once.
   */
  async chaseApprovals(
    now = this.#gate.now(),
    by: { actor: Actor; context: AuditContext } = { actor: { userId: null, label: 'job:sharing-approval-chase', organisationId: null, roles: [] }, context: {} },
  ): Promise<{ chased: number; escalated: number }> {
    let chased = 0;
    let escalated = 0;
    const due = await this.#sharing.approvalsToChase(new Date(now.getTime() - CHASE_EVERY_MS.emergency));
    for (const d of due) {
      const interval = d.emergency ? CHASE_EVERY_MS.emergency : CHASE_EVERY_MS.routine;
      const before = new Date(now.getTime() - interval);
      if ((d.lastChasedAt ?? d.approvalRequestedAt!) >= before) continue;
      if (!(await this.#sharing.markChased(d.subjectId, d.id, now, before))) continue;
      chased++;
      const managers = (await this.#sharing.organisationUsersWithRole(d.organisationId, ['team_manager'])).filter((u) => u !== d.decidedBy);
      const escalate = d.chaseCount + 1 >= ESCALATE_AFTER_CHASES;
      const ig = escalate ? await this.#sharing.organisationUsersWithRole(d.organisationId, ['ig_lead']) : [];
      if (escalate) escalated++;
      await this.#notify(
        [...managers, ...ig],
        {
          kind: 'sharing.approval-chase',
          subjectId: d.subjectId,
          message: `${d.outcome === 'not_share' ? 'Decision not to share despite a recorded risk' : d.emergency ? 'Emergency share without consent' : 'Share without consent'} still waiting for approval (reminder ${d.chaseCount + 1}, requested ${d.approvalRequestedAt!.toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
          link: `/sharing/decisions/${d.subjectId}/${d.id}`,
        },
        now,
      );
      await this.#audit.record({
        actor: by.actor,
        action: 'sharing.approval.chase',
        outcome: 'success',
        subjectType: 'person',
        subjectId: d.subjectId,
        purpose: 'chase a pending approval',
        details: { decisionId: d.id, chase: d.chaseCount + 1, escalated: escalate, notified: managers.length + ig.length },
        context: by.context,
      });
    }
    return { chased, escalated };
  }

  // ----- reporting -----

  async report(p: Principal, input: unknown, ctx: AuditContext): Promise<SharingDecision[]> {
    const f = parse(reportSchema, input);
    const may = mayReportOnSharing(requesterOf(p), p.organisationId);
    await this.#audit.record({ actor: actorOf(p), action: 'sharing.report', outcome: may.allow ? 'success' : 'denied', reason: may.reason, details: { filter: f }, context: ctx });
    if (!may.allow) throw new ForbiddenError(may.reason);
    const filter: DecisionFilter = {
      organisationId: p.organisationId,
      withConsent: f.withConsent,
      override: f.override,
      approvalStatus: f.approvalStatus,
      outcome: f.outcome,
      emergency: f.emergency,
      from: f.from ? new Date(`${f.from}T00:00:00Z`) : undefined,
      to: f.to ? new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000) : undefined,
      limit: 2000,
    };
    return this.#sharing.findDecisions(filter);
  }

  static reportCsv(rows: readonly SharingDecision[]): string {
    const head = ['decided_at', 'decision_id', 'subject_id', 'decided_by', 'purpose', 'outcome', 'with_consent', 'override', 'emergency', 'approval_status', 'approved_by', 'recipient', 'categories', 'legal_bases', 'agreement', 'status'];
    const cell = (v: unknown) => {
      const s = v === null || v === undefined ? '' : String(v);
      // Neutralise spreadsheet formulas as well as quoting.
      const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
      return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    };
    const lines = rows.map((d) =>
      [
        d.createdAt.toISOString(),
        d.id,
        d.subjectId,
        d.decidedByName,
        d.purpose,
        d.outcome,
        d.withConsent,
        d.override,
        d.emergency,
        d.approvalStatus ?? '',
        d.approvedByName ?? '',
        d.recipientUserName ?? d.recipientTeamName ?? d.recipientOrganisationName ?? d.recipientDescription ?? d.requestFrom ?? '',
        d.categories.join(' '),
        d.legalBases.join(' '),
        d.agreementStatus ?? '',
        d.status,
      ]
        .map(cell)
        .join(','),
    );
    return [head.join(','), ...lines].join('\r\n') + '\r\n';
  }

  // ----- notes -----

  async addNote(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<string> {
    const v = parse(noteSchema, input);
    await this.#gate.check(p, { action: 'update', subjectId, categories: [v.category], purpose: 'record what we hold', auditAction: 'note.add', details: { category: v.category, kind: v.kind } }, ctx);
    const id = newId();
    await this.#sharing.insertNote({ subject_id: subjectId, id, organisation_id: p.organisationId, category: v.category, kind: v.kind, title: v.title, body: v.body, recorded_by: p.userId, recorded_at: this.#gate.now() });
    return id;
  }

  /** The agencies' notes the caller may see, and which categories were withheld. */
  async notes(p: Principal, subjectId: string, ctx: AuditContext): Promise<{ notes: RecordItem[]; withheld: Decision['redacted'] }> {
    const { decision } = await this.#gate.check(p, { action: 'read', subjectId, categories: CASE_CATEGORIES, purpose: 'work with the person', auditAction: 'note.read' }, ctx);
    const rec = await this.#load(subjectId);
    return { notes: this.#items(rec, this.#visibleTo(p, decision, null)).filter((i) => i.type === 'note'), withheld: decision.redacted };
  }

  // ----- disclosures: the recipient's side -----

  async inbox(p: Principal, ctx: AuditContext): Promise<DisclosureView[]> {
    const all = await this.#sharing.inbox(p);
    const subjects = [...new Set(all.map((d) => d.subjectId))];
    const decisions = await this.#gate.decideMany(p, subjects, { action: 'read', categories: ['identity'], purpose: 'see information shared with me' });
    const names = await this.#sharing.currentNames(subjects);
    const now = this.#gate.now();
    const out: DisclosureView[] = all.map((d) => {
      const live = !d.revokedAt && !(d.expiresAt && d.expiresAt <= now);
      const seeIdentity = live && decisions.get(d.subjectId)?.decision.allowed.includes('identity');
      const n = names.get(d.subjectId);
      return { ...d, shown: [], unavailable: [], subjectName: seeIdentity && n ? `${n.givenNames} ${n.familyName}` : null, subjectDateOfBirth: seeIdentity && n ? n.dateOfBirth : null };
    });
    await Promise.all([
      this.#audit.record({ actor: actorOf(p), action: 'disclosure.inbox.read', outcome: 'success', details: { count: out.length }, context: ctx }),
      ...[...new Set(out.filter((d) => d.subjectName).map((d) => d.subjectId))].map((subjectId) =>
        this.#audit.record({ actor: actorOf(p), action: 'disclosure.inbox.result', outcome: 'success', subjectType: 'person', subjectId, purpose: 'see information shared with me', details: { shown: ['identity'] }, context: ctx }),
      ),
    ]);
    return out;
  }

  async openDisclosure(p: Principal, subjectId: string, id: string, ctx: AuditContext): Promise<DisclosureView> {
    const d = await this.#sharing.disclosure(subjectId, id);
    if (!d || !(isDisclosureRecipient(p, d) || d.senderOrganisationId === p.organisationId)) throw new NotFoundError('No such disclosure');
    const now = this.#gate.now();
    const live = !d.revokedAt && !(d.expiresAt && d.expiresAt <= now);
    if (!live) {
      await this.#audit.record({ actor: actorOf(p), action: 'disclosure.open', outcome: 'denied', subjectType: 'person', subjectId, reason: d.revokedAt ? 'revoked' : 'expired', details: { disclosureId: id }, context: ctx });
      return {
        ...d,
        shown: [],
        unavailable: d.items.map((i) => ({ type: i.type, id: i.id, reason: d.revokedAt ? `Access was withdrawn on ${today(d.revokedAt)}: ${d.revokeReason ?? ''}` : `Access ended on ${today(d.expiresAt!)}` })),
        subjectName: null,
        subjectDateOfBirth: null,
        message: null,
      };
    }
    const { decision } = await this.#gate.check(
      p,
      { action: 'read', subjectId, categories: d.categories, purpose: d.purpose ?? 'see information shared with me', auditAction: 'disclosure.open', details: { disclosureId: id } },
      ctx,
    );
    const rec = await this.#load(subjectId);
    const visible = this.#visibleTo(p, decision, null);
    // Show exactly this disclosure's items, each only if the policy lets the caller see it now.
    const all = this.#items(rec, () => true);
    const shown: RecordItem[] = [];
    const unavailable: DisclosureView['unavailable'] = [];
    for (const i of d.items) {
      const item = all.find((a) => a.type === i.type && a.id === i.id);
      if (!item) unavailable.push({ type: i.type, id: i.id, reason: 'No longer part of the record' });
      else if (!visible({ ...i, organisationId: item.organisationId })) unavailable.push({ type: i.type, id: i.id, reason: decision.redacted.find((r) => r.category === i.category)?.reason ?? 'Not open to you' });
      else shown.push(item);
    }
    const identity = shown.find((s) => s.type === 'identity');
    return { ...d, shown, unavailable, subjectName: identity?.label ?? null, subjectDateOfBirth: identity ? rec.person.dateOfBirth : null };
  }

  async acknowledge(p: Principal, subjectId: string, id: string, ctx: AuditContext): Promise<void> {
    const d = await this.#sharing.disclosure(subjectId, id);
    if (!d || !isDisclosureRecipient(p, d)) throw new NotFoundError('No such disclosure');
    const now = this.#gate.now();
    const ok = await this.#sharing.acknowledge(subjectId, id, p.userId, now);
    await this.#audit.record({ actor: actorOf(p), action: 'disclosure.acknowledge', outcome: ok ? 'success' : 'failure', subjectType: 'person', subjectId, details: { disclosureId: id }, context: ctx });
    if (!ok) throw new ValidationError({ form: 'This was already acknowledged' });
    if (d.senderUserId) {
      await this.#notify([d.senderUserId], { kind: 'disclosure.acknowledged', subjectId, message: `${p.displayName} (${p.organisationName}) acknowledged what you shared`, link: `/sharing/decisions/${subjectId}/${d.decisionId}` }, now);
    }
  }

  /** Withdraws a recipient's access: the sender, a manager or the IG lead of the sending organisation. */
  async revoke(p: Principal, subjectId: string, id: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(revokeSchema, input);
    const d = await this.#sharing.disclosure(subjectId, id);
    if (!d) throw new NotFoundError('No such disclosure');
    const allowed = d.senderUserId === p.userId || mayReportOnSharing(requesterOf(p), d.senderOrganisationId ?? '').allow;
    await this.#audit.record({ actor: actorOf(p), action: 'disclosure.revoke', outcome: allowed ? 'success' : 'denied', subjectType: 'person', subjectId, reason: v.reason, details: { disclosureId: id }, context: ctx });
    if (!allowed) throw new ForbiddenError('Only the sender, or a manager or the IG lead of the sending organisation, withdraws access');
    if (!(await this.#sharing.revoke(subjectId, id, p.userId, this.#gate.now(), v.reason))) throw new ValidationError({ form: 'Access was already withdrawn' });
    await this.#notify(await this.#recipientUsers(d), { kind: 'disclosure.revoked', subjectId, message: `${d.senderOrganisationName ?? 'The sender'} withdrew access to information shared with you`, link: null }, this.#gate.now());
  }

  // ----- history and subject access -----

  /** What was shared about the person, with whom, why and on what basis; and what was decided not to share. */
  async history(p: Principal, subjectId: string, ctx: AuditContext) {
    await this.#gate.check(p, { action: 'read', subjectId, categories: ['sharing_history'], purpose: 'review the sharing history', auditAction: 'sharing.history.read' }, ctx);
    const [decisions, disclosures, consents] = await Promise.all([this.#sharing.decisionsFor(subjectId), this.#sharing.disclosuresFor(subjectId), this.#sharing.consents(subjectId)]);
    return { decisions, disclosures, consents };
  }

  /** Everything held about the person, for a subject access request, assembled by the IG lead. */
  async subjectAccess(p: Principal, subjectId: string, input: unknown, ctx: AuditContext) {
    const v = parse(z.object({ reference: z.string({ error: 'Give the subject access request\'s reference' }).trim().min(3, 'Give the subject access request\'s reference').max(200) }), input);
    const { decision } = await this.#gate.check(
      p,
      { action: 'export', subjectId, categories: DATA_CATEGORIES, purpose: 'subject access request', reason: v.reference, auditAction: 'person.subject-access.export' },
      ctx,
    );
    const rec = await this.#load(subjectId);
    const can = (c: DataCategory) => decision.allowed.includes(c);
    const [decisions, disclosures, consents, access] = await Promise.all([
      this.#sharing.decisionsFor(subjectId),
      this.#sharing.disclosuresFor(subjectId),
      this.#sharing.consents(subjectId),
      this.#audit.search({ subjectId, limit: 5000 }),
    ]);
    const hidden = new Set(decision.hiddenInvolvementIds);
    return {
      reference: v.reference,
      producedAt: this.#gate.now().toISOString(),
      producedBy: { name: p.displayName, organisation: p.organisationName },
      withheld: decision.redacted,
      person: can('identity') ? { ...rec.person, addresses: can('whereabouts') ? rec.person.addresses : null } : null,
      relationships: can('family') ? rec.relationships : null,
      involvements: can('involvements') ? rec.involvements.filter((i) => !hidden.has(i.id)) : null,
      notes: rec.notes.filter((n) => can(n.category)),
      consents: can('consent') ? consents : null,
      sharing: can('sharing_history') ? { decisions, disclosures } : null,
      accessHistory: can('access_history') ? access.filter((e) => e.subjectType === 'person') : null,
    };
  }
}

export { AccessDeniedError };
