import crypto from 'node:crypto';
import { z } from 'zod';
import type { AuditContext, AuditService } from '../audit/audit-service.ts';
import { newId } from '../ids.ts';
import type { DataCategory } from '../policy/access-policy.ts';
import type { PolicyGate } from '../policy/policy-gate.ts';
import type { OrganisationRepository } from '../repositories/organisation-repository.ts';
import type { PeopleRepository } from '../repositories/people-repository.ts';
import type { Consent, SharingRepository } from '../repositories/sharing-repository.ts';
import { ageOn, capacityProblems, consentCoverage, consentState, PURPOSES, SHAREABLE_CATEGORIES, type ConsentCoverage, type ConsentState } from '../sharing/rules.ts';
import { isoDate, parse } from './person-service.ts';
import { NotFoundError, ValidationError, type Principal } from './principal.ts';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** Evidence files: a scanned or photographed form. */
export const EVIDENCE_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export const EVIDENCE_MAX_BYTES = 5 * 1024 * 1024;

const purpose = z.enum(PURPOSES, { error: 'Choose a purpose from the list' });
const category = z.enum(SHAREABLE_CATEGORIES as [DataCategory, ...DataCategory[]], { error: 'Choose kinds of information from the list' });

export const consentExceptionSchema = z.object({
  type: z.enum(['deny', 'permit'], { error: 'Say whether the exception denies or permits' }),
  purposes: z.array(purpose).default([]),
  organisationIds: z.array(z.uuid('Choose a recorded organisation')).default([]),
  organisationTypes: z.array(z.string().min(1)).default([]),
  categories: z.array(category).default([]),
  from: z.preprocess(blankToUndefined, isoDate('the exception\'s start date').optional()),
  until: z.preprocess(blankToUndefined, isoDate('the exception\'s end date').optional()),
});

export const consentSchema = z
  .object({
    decision: z.enum(['given', 'refused'], { error: 'Say whether consent was given or refused' }),
    givenBy: z.enum(['person', 'parental_responsibility', 'lawful_representative'], { error: 'Say who gave or refused consent' }),
    givenBySubjectId: z.preprocess(blankToUndefined, z.uuid('Choose the person from the family').optional()),
    givenByName: z.preprocess(blankToUndefined, z.string().trim().max(200).optional()),
    capacityAssessment: z.enum(['gillick', 'mental_capacity', 'presumed'], { error: 'Say how their capacity to decide was established' }),
    capacityOutcome: z.enum(['capable', 'not_capable'], { error: 'Say whether they could decide' }),
    capacityReasoning: z.preprocess(blankToUndefined, z.string().trim().max(4000).optional()),
    capacityAssessedOn: z.preprocess(blankToUndefined, isoDate('the date of the assessment').optional()),
    purposes: z.array(purpose, { error: 'Choose at least one purpose' }).min(1, 'Choose at least one purpose'),
    anyRecipient: z.boolean().default(false),
    recipientOrganisationIds: z.array(z.uuid('Choose a recorded organisation')).max(50).default([]),
    recipientOrganisationTypes: z.array(z.string().trim().min(1)).max(20).default([]),
    categories: z.array(category, { error: 'Choose at least one kind of information' }).min(1, 'Choose at least one kind of information'),
    exceptions: z.array(consentExceptionSchema).max(20).default([]),
    method: z.enum(['verbal', 'written', 'electronic'], { error: 'Say how consent was given or refused' }),
    evidence: z
      .object({
        filename: z.string().trim().min(1).max(200),
        contentType: z.enum(EVIDENCE_TYPES, { error: 'The evidence must be a PDF, PNG or JPEG file' }),
        contentBase64: z.string().min(1, 'The evidence file is empty'),
      })
      .optional(),
    validFrom: z.preprocess(blankToUndefined, isoDate('the date it applies from').optional()),
    validUntil: z.preprocess(blankToUndefined, isoDate('the date it ends').optional()),
    notes: z.preprocess(blankToUndefined, z.string().trim().max(4000).optional()),
  })
  .superRefine((v, ctx) => {
    if (!v.anyRecipient && v.recipientOrganisationIds.length === 0 && v.recipientOrganisationTypes.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['recipientOrganisationIds'], message: 'Choose who the information may go to (named organisations or kinds of organisation)' });
    }
    if (v.validFrom && v.validUntil && v.validUntil < v.validFrom) {
      ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'The end date must be on or after the start date' });
    }
    if (v.evidence && v.method === 'verbal') {
      ctx.addIssue({ code: 'custom', path: ['method'], message: 'Verbal consent has no form: choose written if you are uploading a signed form' });
    }
  });
export type ConsentInput = z.input<typeof consentSchema>;

export const withdrawSchema = z.object({
  reason: z.string({ error: 'Say why, or in what words, it was withdrawn' }).trim().min(5, 'Say why, or in what words, it was withdrawn').max(2000),
  method: z.enum(['verbal', 'written', 'electronic'], { error: 'Say how it was withdrawn' }),
});

export const coverageQuerySchema = z.object({
  purpose,
  recipientOrganisationId: z.uuid('Choose the recipient organisation'),
  categories: z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(category).min(1, 'Choose at least one kind of information')),
});

export interface ConsentView extends Consent {
  state: ConsentState;
}

/**
 * Consent to share (and its refusal and withdrawal) about a person. Every read and write passes
 * the PolicyGate on the `consent` category, which audits it.
 */
export class ConsentService {
  readonly #sharing: SharingRepository;
  readonly #people: PeopleRepository;
  readonly #orgs: OrganisationRepository;
  readonly #gate: PolicyGate;
  readonly #audit: AuditService;

  constructor(deps: { sharing: SharingRepository; people: PeopleRepository; organisations: OrganisationRepository; gate: PolicyGate; audit: AuditService }) {
    this.#sharing = deps.sharing;
    this.#people = deps.people;
    this.#orgs = deps.organisations;
    this.#gate = deps.gate;
    this.#audit = deps.audit;
  }

  #withState(c: Consent): ConsentView {
    const now = this.#gate.now();
    return { ...c, state: consentState(c, now.toISOString().slice(0, 10), now) };
  }

  async list(p: Principal, subjectId: string, ctx: AuditContext, purposeOfUse = 'check consent to share'): Promise<ConsentView[]> {
    await this.#gate.check(p, { action: 'read', subjectId, categories: ['consent'], purpose: purposeOfUse, auditAction: 'consent.read' }, ctx);
    return (await this.#sharing.consents(subjectId)).map((c) => this.#withState(c));
  }

  async get(p: Principal, subjectId: string, id: string, ctx: AuditContext): Promise<ConsentView> {
    await this.#gate.check(p, { action: 'read', subjectId, categories: ['consent'], purpose: 'check consent to share', auditAction: 'consent.read', details: { consentId: id } }, ctx);
    const c = await this.#sharing.consent(subjectId, id);
    if (!c) throw new NotFoundError('No such consent record');
    return this.#withState(c);
  }

  /** A consent by its id alone (FHIR read): the person it is about is looked up, then `get` passes the gate as usual. */
  async getById(p: Principal, id: string, ctx: AuditContext): Promise<ConsentView> {
    const subjectId = await this.#sharing.consentSubject(id);
    if (!subjectId) throw new NotFoundError('No such consent record');
    return this.get(p, subjectId, id, ctx);
  }

  /** Records consent given or refused. Returns the id (the same one again for a repeated request key). */
  async record(
    p: Principal,
    subjectId: string,
    input: unknown,
    ctx: AuditContext,
    options: { requestKey?: string | undefined; source?: 'app' | 'api' | 'fhir'; externalId?: string | undefined } = {},
  ): Promise<{ id: string; repeated: boolean }> {
    const v = parse(consentSchema, input);
    await this.#gate.check(
      p,
      { action: 'update', subjectId, categories: ['consent'], purpose: 'record consent to share', auditAction: 'consent.record', details: { decision: v.decision, purposes: v.purposes } },
      ctx,
    );
    if (options.requestKey) {
      const existing = await this.#sharing.consentByRequestKey(subjectId, options.requestKey);
      if (existing) return { id: existing, repeated: true };
    }
    if (options.externalId) {
      const existing = await this.#sharing.consentByExternalId(subjectId, options.externalId);
      if (existing) return { id: existing, repeated: true };
    }
    const person = await this.#people.findPerson(subjectId);
    if (!person) throw new NotFoundError('No such person');
    const now = this.#gate.now();
    const today = now.toISOString().slice(0, 10);
    const problems = capacityProblems(v, ageOn(person.dateOfBirth, person.dobPrecision, today));
    for (const [n, id] of v.recipientOrganisationIds.entries()) {
      if (!(await this.#orgs.findById(id))) problems[`recipientOrganisationIds.${n}`] = 'Choose an organisation that is recorded';
    }
    for (const [n, e] of v.exceptions.entries()) {
      for (const id of e.organisationIds) if (!(await this.#orgs.findById(id))) problems[`exceptions.${n}.organisationIds`] = 'Choose an organisation that is recorded';
    }
    if (v.givenBySubjectId && !(await this.#people.findPerson(v.givenBySubjectId))) problems.givenBySubjectId = 'Choose a recorded person';
    let evidence = null;
    if (v.evidence) {
      const content = Buffer.from(v.evidence.contentBase64, 'base64');
      if (content.byteLength === 0) problems.evidence = 'The evidence file is empty';
      else if (content.byteLength > EVIDENCE_MAX_BYTES) problems.evidence = 'The evidence file must be smaller than 5 MB';
      else if (!looksLike(v.evidence.contentType, content)) problems.evidence = `The evidence file is not a ${v.evidence.contentType === 'application/pdf' ? 'PDF' : v.evidence.contentType === 'image/png' ? 'PNG' : 'JPEG'} file`;
      else {
        evidence = {
          subjectId,
          id: newId(),
          filename: v.evidence.filename.replace(/[^\w.\- ]+/g, '_'),
          contentType: v.evidence.contentType,
          content: new Uint8Array(content),
          sha256: crypto.createHash('sha256').update(content).digest('hex'),
          uploadedBy: p.userId,
          uploadedAt: now,
        };
      }
    }
    if (Object.keys(problems).length) throw new ValidationError(problems);
    const id = newId();
    await this.#sharing.insertConsent(
      {
        subject_id: subjectId,
        id,
        decision: v.decision,
        given_by: v.givenBy,
        given_by_subject_id: v.givenBySubjectId ?? null,
        given_by_name: v.givenByName ?? null,
        capacity_assessment: v.capacityAssessment,
        capacity_outcome: v.capacityOutcome,
        capacity_reasoning: v.capacityReasoning ?? null,
        capacity_assessed_by: v.capacityAssessment === 'presumed' ? null : p.userId,
        capacity_assessed_on: v.capacityAssessment === 'presumed' ? null : (v.capacityAssessedOn ?? today),
        purposes: [...new Set(v.purposes)],
        recipient_organisation_ids: [...new Set(v.recipientOrganisationIds)],
        recipient_organisation_types: [...new Set(v.recipientOrganisationTypes)],
        any_recipient: v.anyRecipient,
        categories: [...new Set(v.categories)],
        exceptions: v.exceptions.map((e) => ({ ...e, from: e.from ?? null, until: e.until ?? null })),
        method: v.method,
        evidence_id: evidence?.id ?? null,
        valid_from: v.validFrom ?? today,
        valid_until: v.validUntil ?? null,
        notes: v.notes ?? null,
        organisation_id: p.organisationId,
        recorded_by: p.userId,
        recorded_at: now,
        source: options.source ?? 'app',
        external_id: options.externalId ?? null,
        request_key: options.requestKey ?? null,
      },
      evidence,
    );
    await this.#audit.record({
      actor: { userId: p.userId, label: p.email, organisationId: p.organisationId, roles: p.roles },
      action: v.decision === 'given' ? 'consent.given' : 'consent.refused',
      outcome: 'success',
      subjectType: 'person',
      subjectId,
      purpose: 'record consent to share',
      details: { consentId: id, purposes: v.purposes, categories: v.categories, givenBy: v.givenBy, method: v.method, evidence: Boolean(evidence), source: options.source ?? 'app' },
      context: ctx,
    });
    return { id, repeated: false };
  }

  async withdraw(p: Principal, subjectId: string, id: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(withdrawSchema, input);
    await this.#gate.check(p, { action: 'update', subjectId, categories: ['consent'], purpose: 'record withdrawal of consent', auditAction: 'consent.withdraw', details: { consentId: id } }, ctx);
    const c = await this.#sharing.consent(subjectId, id);
    if (!c) throw new NotFoundError('No such consent record');
    if (c.decision !== 'given') throw new ValidationError({ form: 'A refusal cannot be withdrawn: record the consent now given instead' });
    const ok = await this.#sharing.withdrawConsent(subjectId, id, { at: this.#gate.now(), by: p.userId, reason: v.reason, method: v.method });
    if (!ok) throw new ValidationError({ form: 'This consent was already withdrawn' });
  }

  async evidence(p: Principal, subjectId: string, consentId: string, ctx: AuditContext) {
    await this.#gate.check(p, { action: 'read', subjectId, categories: ['consent'], purpose: 'see the evidence of consent', auditAction: 'consent.evidence.read', details: { consentId } }, ctx);
    const c = await this.#sharing.consent(subjectId, consentId);
    if (!c?.evidence) throw new NotFoundError('No evidence is held for this consent');
    const file = await this.#sharing.evidence(subjectId, c.evidence.id);
    if (!file) throw new NotFoundError('No evidence is held for this consent');
    return file;
  }

  /** What the consent records say about a proposed share (and, plainly, when consent for another purpose cannot be relied on). */
  async coverage(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<ConsentCoverage> {
    const q = parse(coverageQuerySchema, input);
    await this.#gate.check(p, { action: 'read', subjectId, categories: ['consent'], purpose: 'check consent to share', auditAction: 'consent.check', details: { purpose: q.purpose, recipient: q.recipientOrganisationId } }, ctx);
    const org = await this.#orgs.findById(q.recipientOrganisationId);
    if (!org) throw new ValidationError({ recipientOrganisationId: 'Choose an organisation that is recorded' });
    const now = this.#gate.now();
    return consentCoverage(await this.#sharing.consents(subjectId), { purpose: q.purpose, organisationId: org.id, organisationType: org.typeCode, categories: q.categories, date: now.toISOString().slice(0, 10) }, now);
  }

  /**
   * Consents the caller may see across the people they work with (for the FHIR search): each
   * person passes the policy on `consent`; each one shown is audited.
   */
  async visible(p: Principal, ctx: AuditContext, options: { limit?: number; purpose?: string } = {}): Promise<ConsentView[]> {
    const subjects = await this.#sharing.consentSubjectsNear(p, options.limit ?? 200);
    const decisions = await this.#gate.decideMany(p, subjects, { action: 'read', categories: ['consent'], purpose: options.purpose ?? 'list consents' });
    const allowed = subjects.filter((s) => decisions.get(s)?.decision.allowed.includes('consent'));
    const out: ConsentView[] = [];
    const bySubject = await this.#sharing.consentsOf(allowed);
    for (const s of allowed) out.push(...bySubject.get(s)!.map((c) => this.#withState(c)));
    await Promise.all(
      allowed.map((subjectId) =>
        this.#audit.record({
          actor: { userId: p.userId, label: p.email, organisationId: p.organisationId, roles: p.roles },
          action: 'consent.read',
          outcome: 'success',
          subjectType: 'person',
          subjectId,
          purpose: options.purpose ?? 'list consents',
          details: { basis: decisions.get(subjectId)!.decision.basisByCategory.consent },
          context: ctx,
        }),
      ),
    );
    return out;
  }
}

/** The file's first bytes match its declared type (so a renamed executable is not stored as a "PDF"). */
function looksLike(contentType: string, b: Buffer): boolean {
  if (contentType === 'application/pdf') return b.subarray(0, 5).toString('latin1') === '%PDF-';
  if (contentType === 'image/png') return b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  if (contentType === 'image/jpeg') return b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
  return false;
}
