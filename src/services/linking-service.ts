/**
 * Links an organisation's feed records (source_record, kind "people") to people: each record is
 * compared with the people the database proposes as candidates (same date of birth, surname,
 * postcode or NHS number) using the linkage engine's comparisons (src/linkage/compare.ts). Pairs at or
 * above `autoWeight` are linked; pairs between `reviewWeight` and `autoWeight` go to a review queue
 * with each field's level and contribution to the weight; the rest are left unlinked. Decisions are
 * kept: a rejected pair is never proposed again, an accepted one is linked. A link can be undone: the
 * record leaves the person and the pair is queued again. Every step is audited.
 *
 * The weights are fixed prior m/u probabilities (the engine's starting m, hand-set u), not trained by
 * EM on the people table, and without term-frequency adjustment: a candidate set is too small to
 * train on. Training on the whole people table is the next step.
 */
import { z } from 'zod';
import type { Actor, AuditContext, AuditService } from '../audit/audit-service.ts';
import { OPERATOR_ACTOR } from '../feeds/feed-service.ts';
import { newId } from '../ids.ts';
import { modelMismatch, scoreWithModel, startingModel, trainAppModel, type AppModel, type PairScore, type TrainingSummary } from '../linkage/app-model.ts';
import { prepareFeatures } from '../linkage/features.ts';
import { blankRecord, recordSetOf, type RawRecord } from '../linkage/records.ts';
import { agencyInvolvementAccess, openedFully, organisationsHiddenFrom } from '../policy/agency-involvements.ts';
import { CASE_CATEGORIES, mayReviewLinks, mayTrainLinkageModel, type DataCategory, type Decision, type FeedRequester } from '../policy/access-policy.ts';
import { AccessDeniedError, requesterOf, type PolicyGate } from '../policy/policy-gate.ts';
import type { AgencyInvolvementRow, LinkingRepository, LinkReviewRow, LinkSourceRecord, PersonLinkRow, TrainingRow } from '../repositories/linking-repository.ts';
import type { PeopleRepository, SearchCandidate } from '../repositories/people-repository.ts';
import { parse, type PersonService } from './person-service.ts';
import { actorOf, ForbiddenError, NotFoundError, ValidationError, type Principal } from './principal.ts';

export type LinkCaller = Principal | 'operator';

export interface LinkRunResult {
  considered: number;
  linked: Array<{ sourceRecordId: string; subjectId: string; linkId: string; weight: number; notified: number }>;
  queued: Array<{ sourceRecordId: string; subjectId: string; reviewId: string; weight: number }>;
  left: string[];
  /** With `createPeople`: records that matched nobody, each now a new person (or why not). */
  created: Array<{ sourceRecordId: string; subjectId: string; linkId: string }>;
  notCreated: Array<{ sourceRecordId: string; reason: string }>;
}

export const decideReviewSchema = z.object({
  decision: z.enum(['accept', 'reject'], { error: 'Choose accept or reject' }),
  note: z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().max(2000, 'The note must be 2000 characters or fewer').optional()),
});
export const undoLinkSchema = z.object({ reason: z.string({ error: 'Enter why the link is wrong' }).trim().min(1, 'Enter why the link is wrong').max(2000, 'The reason must be 2000 characters or fewer') });

const toDob = (iso: string | null) => (iso && /^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso.replaceAll('-', '') : '');
const isoOf = (d: unknown): string | null => (d instanceof Date ? d.toISOString().slice(0, 10) : typeof d === 'string' ? d.slice(0, 10) : null);

function sourceRaw(r: LinkSourceRecord, id: string): RawRecord {
  return {
    ...blankRecord(id),
    firstName: r.givenNames ?? '',
    surname: r.familyName ?? '',
    dob: toDob(r.dateOfBirth),
    sex: r.sex ?? '',
    postcode: r.postcode ?? '',
    address: r.address ?? '',
    nhsNumber: (r.nhsNumber ?? '').replace(/\s/g, ''),
    email: r.email ?? '',
  };
}

function candidateRaw(c: SearchCandidate, id: string): RawRecord {
  const name = c.names.find((n) => n.kind === 'current') ?? c.names[0];
  return {
    ...blankRecord(id),
    firstName: name?.givenNames ?? '',
    surname: name?.familyName ?? '',
    dob: toDob(isoOf(c.dateOfBirth)),
    sex: c.sex === 'unknown' || c.sex === 'not_specified' ? '' : c.sex,
    postcode: c.postcodes[0] ?? '',
    nhsNumber: c.identifiers.find((i) => i.scheme === 'nhs_number')?.value ?? '',
  };
}

/** Scores one source record against its candidates with the model (trained, or the starting values). */
export function scorePairs(source: LinkSourceRecord, candidates: readonly SearchCandidate[], model: AppModel = startingModel()): Array<{ candidate: SearchCandidate; explanation: PairScore }> {
  if (candidates.length === 0) return [];
  const set = recordSetOf([...candidates.map((c, k) => candidateRaw(c, `c${k}`)), sourceRaw(source, 's')]);
  const f = prepareFeatures(set);
  const s = candidates.length;
  return candidates.map((candidate, i) => ({ candidate, explanation: scoreWithModel(model, f, s, i) }));
}

/** An involvement as an agency's system sent it, as the viewer may see it (contact details only where the policy allows). */
export type AgencyInvolvementView = Omit<AgencyInvolvementRow, 'caseCategory'>;

export interface AgencyInvolvementsView {
  current: AgencyInvolvementView[];
  past: AgencyInvolvementView[];
  /** Agencies holding involvement records the viewer may not see, with why and whom to ask. */
  heldBy: Array<{ organisationId: string; organisationName: string; reason: string }>;
  /** More records than the newest AGENCY_INVOLVEMENTS_SHOWN were sent: the oldest ended ones are left out. */
  more: boolean;
}

/** The most agency-reported involvements read for one person (current first, then the most recently ended). */
export const AGENCY_INVOLVEMENTS_SHOWN = 500;

/** One agency record linked to a person, as the viewer may see it. */
export interface LinkedRecordView {
  linkId: string;
  organisationId: string;
  organisationName: string;
  kind: string;
  how: PersonLinkRow['how'];
  weight: number | null;
  createdBy: string;
  createdAt: Date;
  undone: { by: string; at: Date; reason: string | null } | null;
  /** The record as the agency holds it, when the viewer may see it (null otherwise: see `withheld`). */
  record: { sourceRecordId: string; givenNames: string | null; familyName: string | null; dateOfBirth: string | null; postcode: string | null } | null;
  /** The involvements, contacts and events following the record, by kind (null when withheld). */
  dependants: Record<string, number> | null;
  /** Why the record's details are not shown, and whom to ask. */
  withheld: string | null;
  /** The viewer may undo this link (a reviewer of the record's own organisation). */
  mayUndo: boolean;
}


const storedModelSchema = z.object({
  params: z.object({
    m: z.array(z.array(z.number())),
    u: z.array(z.array(z.number())),
    lambda: z.number().gt(0).lt(1),
    weights: z.array(z.array(z.number())),
    active: z.array(z.boolean()),
    uExactFirst: z.number(),
    uExactSurname: z.number(),
  }),
  nameFrequencies: z.object({ first: z.record(z.string(), z.number()), surname: z.record(z.string(), z.number()), firstTotal: z.number(), surnameTotal: z.number(), minCount: z.number() }),
});

const trainingRaw = (r: TrainingRow): RawRecord => ({ ...blankRecord(r.id), firstName: r.first_name, surname: r.surname, dob: r.dob, sex: r.sex, postcode: r.postcode, nhsNumber: r.nhs_number });

/** How long a process keeps the model it read before looking for a newer one. */
const MODEL_CACHE_MS = 60_000;

export class LinkingService {
  readonly #links: LinkingRepository;
  #model: { model: AppModel; at: number } | null = null;
  readonly #gate: PolicyGate;
  readonly #people: PeopleRepository;
  readonly #persons: PersonService;
  readonly #audit: AuditService;
  readonly #now: () => Date;
  readonly autoWeight: number;
  readonly reviewWeight: number;

  /** `autoWeight`/`reviewWeight`: match weights (log2 odds, prior included) to link at and to queue at (20 and 4). */
  constructor(deps: { links: LinkingRepository; gate: PolicyGate; people: PeopleRepository; persons: PersonService; audit: AuditService; now?: () => Date; autoWeight?: number; reviewWeight?: number }) {
    this.#links = deps.links;
    this.#gate = deps.gate;
    this.#people = deps.people;
    this.#persons = deps.persons;
    this.#audit = deps.audit;
    this.#now = deps.now ?? (() => new Date());
    this.autoWeight = deps.autoWeight ?? 20;
    this.reviewWeight = deps.reviewWeight ?? 4;
  }

  #allow(caller: LinkCaller, organisationId: string): Actor {
    const r: FeedRequester = caller === 'operator' ? { operator: true } : { ...requesterOf(caller), via: caller.via };
    const d = mayReviewLinks(r, organisationId);
    if (!d.allow) throw new ForbiddenError(d.reason);
    return caller === 'operator' ? OPERATOR_ACTOR : actorOf(caller);
  }

  async #candidates(r: LinkSourceRecord): Promise<SearchCandidate[]> {
    return this.#people.searchCandidates({
      dates: r.dateOfBirth ? [r.dateOfBirth] : undefined,
      familyNorms: r.familyName ? [r.familyName.trim().toLowerCase()] : undefined,
      postcode: r.postcode ?? undefined,
      identifier: r.nhsNumber ? r.nhsNumber.replace(/\s/g, '') : undefined,
      limit: 500,
    });
  }

  /** The newest trained model, or the starting values when none has been trained for this version's comparisons. */
  async model(): Promise<AppModel> {
    const now = Date.now();
    if (this.#model && now - this.#model.at < MODEL_CACHE_MS) return this.#model.model;
    const stored = await this.#links.latestModel();
    let model = startingModel();
    if (stored) {
      const parsed = storedModelSchema.safeParse({ params: stored.params, nameFrequencies: stored.nameFrequencies });
      // a model trained for another version's comparison levels is set aside until training runs again
      if (parsed.success && modelMismatch(parsed.data.params) === null) model = { id: stored.id, params: parsed.data.params, names: parsed.data.nameFrequencies };
    }
    this.#model = { model, at: now };
    return model;
  }

  /**
   * Trains the model without labels on up to `people` people against up to `records` agency people
   * records (drawn at random), keeps it, and uses it from now on. Operator only (the policy's
   * `mayTrainLinkageModel`); audited as one entry with the counts, never per person.
   */
  async train(caller: LinkCaller, ctx: AuditContext, options: { people?: number | undefined; records?: number | undefined; actor?: Actor } = {}): Promise<{ modelId: string; summary: TrainingSummary }> {
    const r: FeedRequester = caller === 'operator' ? { operator: true } : { ...requesterOf(caller), via: caller.via };
    const allowed = mayTrainLinkageModel(r);
    const actor = options.actor ?? (caller === 'operator' ? OPERATOR_ACTOR : actorOf(caller));
    if (!allowed.allow) {
      await this.#audit.record({ actor, action: 'linkage-model.train', outcome: 'denied', purpose: 'train the record linkage model', reason: allowed.reason, context: ctx });
      throw new ForbiddenError(allowed.reason);
    }
    const [people, records] = await Promise.all([this.#links.trainingPeople(options.people ?? 200_000), this.#links.trainingRecords(options.records ?? 200_000)]);
    let trained: ReturnType<typeof trainAppModel>;
    try {
      trained = trainAppModel(people.map(trainingRaw), records.map(trainingRaw));
    } catch (e) {
      if (e instanceof RangeError) throw new ValidationError({ records: e.message });
      throw e;
    }
    const modelId = newId();
    await this.#links.saveModel({ id: modelId, trainedBy: actor.label, records: people.length + records.length, params: trained.model.params, nameFrequencies: trained.model.names }, this.#now());
    await this.#audit.record({
      actor,
      action: 'linkage-model.train',
      outcome: 'success',
      purpose: 'train the record linkage model',
      reason: allowed.reason,
      details: { modelId, ...trained.summary },
      context: ctx,
    });
    this.#model = { model: { id: modelId, ...trained.model }, at: Date.now() };
    return { modelId, summary: trained.summary };
  }

  /** Links the organisation's unlinked people records (of one import run when given). */
  async run(caller: LinkCaller, organisationId: string, ctx: AuditContext, options: { runId?: string | undefined; createPeople?: boolean | undefined } = {}): Promise<LinkRunResult> {
    const actor = this.#allow(caller, organisationId);
    const records = await this.#links.unlinkedPeopleRecords(organisationId, options.runId);
    const model = await this.model();
    // Every earlier decision about these records in one query (a rejected pair is never proposed again).
    const reviewed = await this.#links.reviewsOf(organisationId, 'people', records.map((r) => r.sourceRecordId));
    const result: LinkRunResult = { considered: records.length, linked: [], queued: [], left: [], created: [], notCreated: [] };
    for (const r of records) {
      const earlier = reviewed.get(r.sourceRecordId) ?? [];
      const decided = new Map(earlier.map((x) => [x.subjectId, x]));
      const scored = scorePairs(r, await this.#candidates(r), model)
        .filter((x) => decided.get(x.candidate.subjectId)?.status !== 'rejected')
        .sort((a, b) => b.explanation.weight - a.explanation.weight);
      const best = scored[0];
      const second = scored[1];
      const clear = best && (!second || second.explanation.weight < this.reviewWeight);
      if (best && clear && !best.explanation.twinGuard && best.explanation.weight >= this.autoWeight && decided.get(best.candidate.subjectId)?.status !== 'pending') {
        const linkId = newId();
        if (!(await this.#links.insertAutoLink({ subjectId: best.candidate.subjectId, id: linkId, organisationId, kind: r.kind, sourceRecordId: r.sourceRecordId, weight: best.explanation.weight, runId: options.runId ?? null, createdBy: actor.label }, this.#now()))) continue;
        await this.#audit.record({
          actor,
          action: 'record-link.auto',
          outcome: 'success',
          subjectType: 'person',
          subjectId: best.candidate.subjectId,
          purpose: 'link an agency record to the person it is about',
          reason: `match weight ${best.explanation.weight.toFixed(1)} at or above ${this.autoWeight}`,
          details: { linkId, organisationId, kind: r.kind, sourceRecordId: r.sourceRecordId, runId: options.runId ?? null, weight: best.explanation.weight },
          context: ctx,
        });
        const notified = await this.#notifyInvolved(actor, best.candidate.subjectId, r, ctx);
        result.linked.push({ sourceRecordId: r.sourceRecordId, subjectId: best.candidate.subjectId, linkId, weight: best.explanation.weight, notified });
        continue;
      }
      let queued = false;
      for (const x of scored) {
        if (x.explanation.weight < this.reviewWeight) break;
        if (decided.has(x.candidate.subjectId)) {
          queued ||= decided.get(x.candidate.subjectId)!.status === 'pending';
          continue;
        }
        const reviewId = newId();
        await this.#links.insertReview(
          { subjectId: x.candidate.subjectId, id: reviewId, organisationId, kind: r.kind, sourceRecordId: r.sourceRecordId, weight: x.explanation.weight, probability: x.explanation.probability, explanation: x.explanation },
          this.#now(),
        );
        await this.#audit.record({
          actor,
          action: 'record-link.queued',
          outcome: 'success',
          subjectType: 'person',
          subjectId: x.candidate.subjectId,
          purpose: 'link an agency record to the person it is about',
          reason: `match weight ${x.explanation.weight.toFixed(1)} between ${this.reviewWeight} and ${this.autoWeight}${x.explanation.twinGuard ? ' (possible twin)' : ''}`,
          details: { reviewId, organisationId, kind: r.kind, sourceRecordId: r.sourceRecordId, weight: x.explanation.weight },
          context: ctx,
        });
        result.queued.push({ sourceRecordId: r.sourceRecordId, subjectId: x.candidate.subjectId, reviewId, weight: x.explanation.weight });
        queued = true;
      }
      if (queued) continue;
      // Nobody in the review range: with createPeople the record becomes a new person of its own (unless a
      // pair of it was ever reviewed or is waiting: then a reviewer has it, and it stays as it is).
      if (options.createPeople && caller !== 'operator' && (scored[0]?.explanation.weight ?? -Infinity) < this.reviewWeight && earlier.length === 0) {
        const made = await this.#createFrom(caller, actor, r, options.runId ?? null, ctx);
        if ('subjectId' in made) result.created.push({ sourceRecordId: r.sourceRecordId, ...made });
        else result.notCreated.push({ sourceRecordId: r.sourceRecordId, reason: made.reason });
        continue;
      }
      result.left.push(r.sourceRecordId);
    }
    return result;
  }

  /**
   * Records a new person from an agency record that matched nobody, through PersonService (the
   * policy's create rule, audited there), with the agency's record id as a local identifier, and links
   * the record to them (how: created). A record without what a person needs (names, sex, a date of
   * birth or none) is left unlinked with the reason.
   */
  async #createFrom(p: Principal, actor: Actor, r: LinkSourceRecord, runId: string | null, ctx: AuditContext): Promise<{ subjectId: string; linkId: string } | { reason: string }> {
    const sex = (r.sex ?? '').trim().toLowerCase();
    const input = {
      givenNames: r.givenNames ?? '',
      familyName: r.familyName ?? '',
      sex: sex === 'f' || sex === 'female' ? 'female' : sex === 'm' || sex === 'male' ? 'male' : 'unknown',
      dateOfBirth: r.dateOfBirth ?? undefined,
      dobPrecision: r.dateOfBirth ? 'exact' : 'unknown',
      nhsNumber: r.nhsNumber ?? undefined,
      localIds: [{ organisationId: r.organisationId, value: r.sourceRecordId }],
      address: r.address && r.postcode ? { line1: r.address, postcode: r.postcode } : undefined,
    };
    let subjectId: string;
    try {
      ({ subjectId } = await this.#persons.create(p, input, ctx, { confirmNotDuplicate: true, requestKey: `record:${r.organisationId}:${r.sourceRecordId}` }));
    } catch (e) {
      if (e instanceof ValidationError) return { reason: Object.values(e.fields).join('; ') };
      if (e instanceof AccessDeniedError || e instanceof ForbiddenError) return { reason: e.message };
      throw e;
    }
    const linkId = newId();
    if (!(await this.#links.insertAutoLink({ subjectId, id: linkId, organisationId: r.organisationId, kind: r.kind, sourceRecordId: r.sourceRecordId, weight: null, runId, createdBy: actor.label, how: 'created' }, this.#now()))) {
      return { reason: 'The record was linked by another run meanwhile' };
    }
    await this.#audit.record({
      actor,
      action: 'record-link.created',
      outcome: 'success',
      subjectType: 'person',
      subjectId,
      purpose: 'link an agency record to the person it is about',
      reason: 'the record matched nobody recorded, so it was recorded as a new person',
      details: { linkId, organisationId: r.organisationId, kind: r.kind, sourceRecordId: r.sourceRecordId, runId },
      context: ctx,
    });
    return { subjectId, linkId };
  }

  /** The organisation's pending pairs with their explanations (no person identity: see `review`). */
  async queue(p: Principal): Promise<LinkReviewRow[]> {
    this.#allow(p, p.organisationId);
    return this.#links.pendingReviews(p.organisationId);
  }

  /**
   * One pair for a reviewer: the organisation's own source record, the explanation, and the candidate
   * person's identity read through the PolicyGate (withheld, with the reason, when the reviewer has no basis).
   */
  async review(p: Principal, reviewId: string, ctx: AuditContext) {
    const review = await this.#links.findReview(reviewId);
    if (!review) throw new NotFoundError('No such link review');
    this.#allow(p, review.organisationId);
    const source = await this.#links.sourceRecord(review.organisationId, review.kind, review.sourceRecordId);
    let person: Awaited<ReturnType<PersonService['view']>> | null = null;
    let withheld: string | null = null;
    try {
      person = await this.#persons.view(p, review.subjectId, ctx, { purpose: 'review a proposed record link', reason: `link review ${review.id}` });
    } catch (e) {
      if (e instanceof AccessDeniedError || e instanceof ForbiddenError) withheld = e.message;
      else throw e;
    }
    return { review, source, person, withheld };
  }

  async decide(p: Principal, reviewId: string, input: unknown, ctx: AuditContext): Promise<{ status: 'accepted' | 'rejected'; linkId: string | null; notified: number }> {
    const data = parse(decideReviewSchema, input);
    const review = await this.#links.findReview(reviewId);
    if (!review) throw new NotFoundError('No such link review');
    const actor = this.#allow(p, review.organisationId);
    if (review.status !== 'pending') throw new ValidationError({ decision: `This pair was already ${review.status}` });
    const status = data.decision === 'accept' ? 'accepted' : 'rejected';
    if (status === 'accepted') {
      const source = await this.#links.sourceRecord(review.organisationId, review.kind, review.sourceRecordId);
      if (source?.subjectId) throw new ValidationError({ decision: 'This record is already linked to a person: undo that link first' });
    }
    const linkId = newId();
    if (!(await this.#links.decideReview(review, { status, decidedBy: actor.label, note: data.note ?? null, linkId }, this.#now()))) {
      throw new ValidationError({ decision: 'This pair was decided by someone else meanwhile' });
    }
    await this.#audit.record({
      actor,
      action: `record-link.${status}`,
      outcome: 'success',
      subjectType: 'person',
      subjectId: review.subjectId,
      purpose: 'decide whether an agency record is about this person',
      reason: data.note ?? `pair ${status} by a reviewer`,
      details: { reviewId, linkId: status === 'accepted' ? linkId : null, organisationId: review.organisationId, kind: review.kind, sourceRecordId: review.sourceRecordId, weight: review.weight },
      context: ctx,
    });
    if (status === 'rejected') return { status, linkId: null, notified: 0 };
    const source = await this.#links.sourceRecord(review.organisationId, review.kind, review.sourceRecordId);
    const notified = source ? await this.#notifyInvolved(actor, review.subjectId, source, ctx) : 0;
    return { status, linkId, notified };
  }

  /** A link as its own organisation's reviewer sees it before undoing it. */
  async link(caller: LinkCaller, linkId: string) {
    const link = await this.#links.findLink(linkId);
    if (!link) throw new NotFoundError('No such record link');
    this.#allow(caller, link.organisationId);
    return link;
  }

  /** Undoes a wrong link: the record leaves the person (source_record.subject_id cleared) and the pair is queued again. */
  async undo(caller: LinkCaller, linkId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const data = parse(undoLinkSchema, input);
    const link = await this.#links.findLink(linkId);
    if (!link) throw new NotFoundError('No such record link');
    const actor = this.#allow(caller, link.organisationId);
    if (link.undoneAt) throw new ValidationError({ reason: 'This link was already undone' });
    const source = await this.#links.sourceRecord(link.organisationId, link.kind, link.sourceRecordId);
    const candidates = source ? await this.#people.candidates([link.subjectId]) : [];
    const scored = source ? scorePairs(source, candidates, await this.model())[0] : undefined;
    const reopen = scored ? { id: newId(), explanation: scored.explanation, probability: scored.explanation.probability } : null;
    if (!(await this.#links.undoLink(link, { undoneBy: actor.label, reason: data.reason, reopen }, this.#now()))) {
      throw new ValidationError({ reason: 'This link was undone by someone else meanwhile' });
    }
    await this.#audit.record({
      actor,
      action: 'record-link.undone',
      outcome: 'success',
      subjectType: 'person',
      subjectId: link.subjectId,
      purpose: 'correct a wrong link between an agency record and a person',
      reason: data.reason,
      details: { linkId, organisationId: link.organisationId, kind: link.kind, sourceRecordId: link.sourceRecordId, how: link.how, requeued: true },
      context: ctx,
    });
  }

  /**
   * The agency records linked to a person, and how (automatically with its weight, or accepted by a
   * reviewer), undone links too with who undid them and why: through the PolicyGate and audited. A
   * record's details (the agency's names, date of birth, postcode, and how many involvements, contacts
   * and events follow it) are shown to its own organisation, or where the policy opens the agency's case
   * category and identity; otherwise the link is listed as held by that agency, with the reason.
   */
  async linkedRecords(p: Principal, subjectId: string, ctx: AuditContext, options: { reason?: string | undefined } = {}): Promise<{ records: LinkedRecordView[]; decision: Decision }> {
    const { decision, facts } = await this.#gate.check(
      p,
      {
        action: 'read',
        subjectId,
        categories: ['identity', 'whereabouts', ...CASE_CATEGORIES],
        purpose: 'see which agency records are linked to the person, and how',
        reason: options.reason,
        auditAction: 'person.linked-records.read',
      },
      ctx,
    );
    // An organisation whose every involvement with the person is a service hidden from the viewer (a
    // sensitive service without consent) is not named through its linked records either.
    const hiddenOrganisations = organisationsHiddenFrom(facts, decision);
    const rows = (await this.#links.linksOfPerson(subjectId)).filter((r) => r.organisationId === p.organisationId || !hiddenOrganisations.has(r.organisationId));
    const requester: FeedRequester = { ...requesterOf(p), via: p.via };
    const records = rows.map((r): LinkedRecordView => {
      const own = r.organisationId === p.organisationId;
      const category = r.caseCategory as DataCategory;
      const open = own || (openedFully(decision, category) && openedFully(decision, 'identity'));
      const why = decision.redacted.find((x) => x.category === category)?.reason ?? decision.redacted.find((x) => x.category === 'identity')?.reason;
      return {
        linkId: r.linkId,
        organisationId: r.organisationId,
        organisationName: r.organisationName,
        kind: r.kind,
        how: r.how,
        weight: r.weight,
        createdBy: r.createdBy,
        createdAt: r.createdAt,
        undone: r.undoneAt ? { by: r.undoneBy ?? '', at: r.undoneAt, reason: r.undoReason } : null,
        record: open
          ? { sourceRecordId: r.sourceRecordId, givenNames: r.givenNames, familyName: r.familyName, dateOfBirth: r.dateOfBirth, postcode: own || openedFully(decision, 'whereabouts') ? r.postcode : null }
          : null,
        dependants: open && !r.undoneAt ? r.dependants : null,
        withheld: open ? null : `${r.organisationName} holds this record: ask them. ${why ?? 'Your access does not cover their records.'}`,
        mayUndo: !r.undoneAt && mayReviewLinks(requester, r.organisationId).allow,
      };
    });
    return { records, decision };
  }

  /**
   * Who is involved as agencies' own systems record it: their feeds' involvements records linked to
   * the person. Through the gate (the involvements and contacts categories, and every agency's case
   * category, since a row is that agency's own words) and audited as one entry. Each row is decided by
   * `agencyInvolvementAccess()` in the policy: shown in full, named as held by its agency with why, or
   * (a hidden sensitive service, or beyond a viewer's own organisation's basis) not mentioned.
   */
  async agencyInvolvements(p: Principal, subjectId: string, ctx: AuditContext, options: { reason?: string | undefined } = {}): Promise<AgencyInvolvementsView> {
    const { decision, facts, now } = await this.#gate.check(
      p,
      {
        action: 'read',
        subjectId,
        categories: ['involvements', 'contacts', ...CASE_CATEGORIES],
        purpose: "find who is involved, as agencies' own systems record it",
        reason: options.reason,
        auditAction: 'person.agency-involvements.read',
      },
      ctx,
    );
    const fetched = await this.#links.agencyInvolvementsOf(subjectId, AGENCY_INVOLVEMENTS_SHOWN + 1);
    const more = fetched.length > AGENCY_INVOLVEMENTS_SHOWN;
    const rows = more ? fetched.slice(0, AGENCY_INVOLVEMENTS_SHOWN) : fetched;
    const access = agencyInvolvementAccess(requesterOf(p), facts, decision, rows, now);
    const today = now.toISOString().slice(0, 10);
    const card = ({ row, contacts }: { row: AgencyInvolvementRow; contacts: boolean }): AgencyInvolvementView => {
      const { caseCategory: _category, ...shown } = row;
      return contacts ? shown : { ...shown, phone: null, email: null };
    };
    const isCurrent = (x: { row: AgencyInvolvementRow }) => x.row.endDate === null || x.row.endDate > today;
    return {
      current: access.shown.filter(isCurrent).map(card),
      past: access.shown.filter((x) => !isCurrent(x)).map(card),
      heldBy: access.heldBy.map((h) => ({ ...h, reason: `${h.organisationName} records involvement with this person in its own system: ask them. ${h.reason}` })),
      more,
    };
  }

  /** Notifies the practitioners with an active involvement with the person that a new record links to them. */
  async #notifyInvolved(actor: Actor, subjectId: string, r: LinkSourceRecord, ctx: AuditContext): Promise<number> {
    const today = this.#now().toISOString().slice(0, 10);
    const involvements = await this.#people.involvements([subjectId]);
    const recipients = [...new Set(involvements.filter((i) => i.practitionerId && (!i.endDate || isoOf(i.endDate)! >= today) && i.startDate <= today).map((i) => i.practitionerId!))];
    if (recipients.length === 0) return 0;
    await this.#people.insertNotifications(
      recipients.map((recipientUserId) => ({
        id: newId(),
        recipientUserId,
        kind: 'record-linked',
        subjectId,
        message: 'A new record from another agency has been linked to a person you are involved with.',
        link: `/people/${subjectId}`,
      })),
      this.#now(),
    );
    await this.#audit.record({
      actor,
      action: 'record-link.notified',
      outcome: 'success',
      subjectType: 'person',
      subjectId,
      purpose: 'tell the practitioners involved that a new record links to the person',
      reason: 'an active involvement with the person',
      details: { organisationId: r.organisationId, kind: r.kind, sourceRecordId: r.sourceRecordId, recipients },
      context: ctx,
    });
    return recipients.length;
  }
}
