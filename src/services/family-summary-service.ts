import { z } from 'zod';
import type { AuditContext, AuditService } from '../audit/audit-service.ts';
import { assembleFamilySummary, filterChronology, hiddenOrganisationsOf, itemVisibility, memberName, type FamilySummaryData } from '../family-summary/assemble.ts';
import type { FamilyMember } from '../family-summary/types.ts';
import { DEFAULT_WINDOW, summaryWindow, WINDOW_CHOICES } from '../family-summary/window.ts';
import { newId } from '../ids.ts';
import { CASE_CATEGORIES, type DataCategory, type Decision, type SubjectFacts } from '../policy/access-policy.ts';
import { PURPOSE_PROFILES, SUMMARY_CATEGORIES, SUMMARY_PURPOSES, summaryAccess, type PurposeProfile, type SummaryAccess } from '../policy/family-summary.ts';
import { AccessDeniedError, requesterOf, type PolicyGate } from '../policy/policy-gate.ts';
import type { FamilySummaryRepository } from '../repositories/family-summary-repository.ts';
import type { PeopleRepository } from '../repositories/people-repository.ts';
import type { SharingRepository } from '../repositories/sharing-repository.ts';
import { parse } from './person-service.ts';
import { actorOf, ForbiddenError, NotFoundError, type Principal } from './principal.ts';

/** What someone must be to the person for the summary to follow their own family one step further. */
const THROUGH = ['parent', 'step_parent', 'parental_responsibility', 'carer', 'expecting', 'partner'];

/** At most this many people in one summary (a family, not a street). */
export const MAX_FAMILY = 30;

export const summaryQuerySchema = z.object({
  purpose: z.enum(SUMMARY_PURPOSES, { error: 'Choose what the summary is for' }).default('work-with-family'),
  reason: z.string({ error: 'Say why you need the family summary' }).trim().min(1, 'Say why you need the family summary').max(1000, 'The reason must be 1000 characters or fewer'),
  window: z.enum(WINDOW_CHOICES, { error: 'Choose a period: 1, 2, 5 or 10 years, or all' }).default(DEFAULT_WINDOW),
});
export type SummaryQuery = z.input<typeof summaryQuerySchema>;

const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).filter(Boolean)));

export const chronologyFilterSchema = z.object({
  agency: list,
  category: list.pipe(z.array(z.enum(CASE_CATEGORIES as [DataCategory, ...DataCategory[]], { error: 'Choose categories from the list' }))),
  person: list,
  significant: z.union([z.boolean(), z.enum(['true', 'false', 'on'])]).optional().transform((v) => v === true || v === 'true' || v === 'on'),
});

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const markSchema = z
  .object({
    itemKey: z.string().trim().max(300).optional().transform((v) => (v ? v : null)),
    significant: z.union([z.boolean(), z.enum(['true', 'false', 'on'])]).optional().transform((v) => v === true || v === 'true' || v === 'on'),
    analysis: z.string().trim().max(5000, 'The analysis must be 5000 characters or fewer').optional().transform((v) => (v ? v : null)),
    entryDate: z.string().trim().optional().transform((v) => (v ? v : null)).refine((v) => v === null || (DATE.test(v) && !Number.isNaN(Date.parse(v))), 'Enter a real date, like 2026-11-22'),
  })
  .superRefine((v, ctx) => {
    if (!v.itemKey && !v.analysis) ctx.addIssue({ code: 'custom', path: ['analysis'], message: 'Write your analysis' });
    if (v.itemKey && !v.significant && !v.analysis) ctx.addIssue({ code: 'custom', path: ['analysis'], message: 'Mark the event as significant or write your analysis of it' });
  });

export type SummaryTarget = { kind: 'person'; subjectId: string } | { kind: 'household'; householdId: string };

export interface FamilySummary extends FamilySummaryData {
  target: SummaryTarget;
  focusId: string;
  profile: PurposeProfile;
  reason: string;
  viewer: { name: string; organisationName: string };
  generatedAt: Date;
  /** Members of the family the viewer may not know of (a shielded housemate), counted. */
  withheldMembers: Array<{ reason: string }>;
  /** The family category of the person was withheld: only they are shown. */
  familyWithheld: string | null;
  relations: Array<{ subjectId: string; relatedSubjectId: string; type: string; fromDate: string | null; ended: boolean }>;
  households: Array<{ subjectId: string; householdId: string; fromDate: string | null }>;
  agenciesHeld: Array<{ id: string; name: string }>;
}

/**
 * The family summary (issue 6): one view of a family across agencies, assembled per viewer and
 * purpose. Every person in it is decided by the access policy and audited on their own record; the
 * purpose profile (src/policy/family-summary.ts) narrows what is shown; the pure assembly
 * (src/family-summary/) shows what is open and names the agencies holding the rest.
 */
export class FamilySummaryService {
  readonly #repo: FamilySummaryRepository;
  readonly #people: PeopleRepository;
  readonly #sharing: SharingRepository;
  readonly #gate: PolicyGate;
  readonly #audit: AuditService;

  constructor(deps: { summaries: FamilySummaryRepository; people: PeopleRepository; sharing: SharingRepository; gate: PolicyGate; audit: AuditService }) {
    this.#repo = deps.summaries;
    this.#people = deps.people;
    this.#sharing = deps.sharing;
    this.#gate = deps.gate;
    this.#audit = deps.audit;
  }

  async summary(p: Principal, target: SummaryTarget, query: unknown, ctx: AuditContext, auditAction = 'family-summary.read'): Promise<FamilySummary> {
    const q = parse(summaryQuerySchema, query);
    const profile = PURPOSE_PROFILES[q.purpose];
    const now = this.#gate.now();
    const today = now.toISOString().slice(0, 10);
    const categories: DataCategory[] = [...SUMMARY_CATEGORIES, 'whereabouts'];
    const req = { action: 'read' as const, categories, purpose: profile.auditPurpose, reason: q.reason };

    // Who is in the family: the person's family category (or, for a household, any current member's).
    let focusId: string;
    let family: Array<{ subjectId: string; relation: string | null }>;
    const decided = new Map<string, { decision: Decision; facts: SubjectFacts }>();
    let familyWithheld: string | null = null;
    // Every decision's audit entry is written in one batch, while the records are read; nothing read is
    // used, and nothing is returned, until that batch has committed (as PolicyGate#checkWithInvolvements).
    // A refusal of the person asked about is audited (by the gate) before anything else is read.
    const pendingAudit: Array<() => Promise<unknown>> = [];
    if (target.kind === 'person') {
      const focusReq = { ...req, subjectId: target.subjectId, auditAction, details: { purposeProfile: profile.code, window: q.window } };
      let focus = (await this.#gate.decideMany(p, [target.subjectId], req)).get(target.subjectId);
      if (!focus?.decision.allow) {
        const checked = await this.#gate.check(p, focusReq, ctx); // audits the refusal and throws (or allows, if that changed meanwhile)
        focus = { decision: checked.decision, facts: checked.facts };
      } else {
        const d = focus.decision;
        pendingAudit.push(() => this.#gate.record(p, focusReq, d, ctx));
      }
      const { decision, facts } = focus;
      decided.set(target.subjectId, { decision, facts });
      focusId = target.subjectId;
      if (decision.allowed.includes('family')) {
        const first = await this.#repo.familyOf(target.subjectId, today);
        family = first.map((f) => ({ subjectId: f.subjectId, relation: f.relation }));
        // Through the person's parents, carers and partners (whose own family the viewer may see): their children, unborn children and partners.
        const via = first.filter((f) => f.type !== null && THROUGH.includes(f.type)).map((f) => f.subjectId);
        if (via.length) {
          // Their relationships are read beside the decisions and used only where the decision opens their family.
          const [viaDecisions, through] = await Promise.all([this.#gate.decideMany(p, via, req), this.#repo.familyThrough(via, today)]);
          for (const [id, d] of viaDecisions) decided.set(id, d);
          const open = new Set(via.filter((id) => decided.get(id)?.decision.allowed.includes('family')));
          const relationOf = new Map(first.map((f) => [f.subjectId, f.relation]));
          const seen = new Set(family.map((f) => f.subjectId));
          for (const r of through) {
            if (!open.has(r.via) || seen.has(r.subjectId)) continue;
            seen.add(r.subjectId);
            family.push({ subjectId: r.subjectId, relation: `${r.relation} of their ${relationOf.get(r.via) ?? 'relative'}` });
          }
        }
      } else {
        family = [{ subjectId: target.subjectId, relation: null }];
        familyWithheld = decision.redacted.find((r) => r.category === 'family')?.reason ?? 'Not covered by your basis for access';
      }
    } else {
      const ids = await this.#repo.householdMembers(target.householdId, today);
      if (ids.length === 0) throw new NotFoundError('No such household, or nobody lives there now');
      const ds = await this.#gate.decideMany(p, ids.slice(0, MAX_FAMILY), req);
      const anchor = ids.find((id) => ds.get(id)?.decision.allowed.includes('family'));
      const householdEntry = () =>
        this.#audit.record({
          actor: actorOf(p),
          action: auditAction,
          outcome: anchor ? 'success' : 'denied',
          subjectType: 'household',
          subjectId: target.householdId,
          purpose: profile.auditPurpose,
          reason: q.reason,
          details: { purposeProfile: profile.code, window: q.window, members: ids.length },
          context: ctx,
        });
      if (anchor) pendingAudit.push(householdEntry);
      else await householdEntry();
      if (!anchor) {
        const d = [...ds.values()][0]?.decision;
        throw new AccessDeniedError({ ...(d as Decision), allow: false, reason: 'Who lives in this household is shown only to practitioners who may see the family of someone living there' });
      }
      for (const [id, d] of ds) decided.set(id, d);
      focusId = anchor;
      family = ids.map((id) => ({ subjectId: id, relation: id === anchor ? null : 'lives with' }));
    }
    family = family.slice(0, MAX_FAMILY);

    // Everyone else in the family: decided at once, each decision audited on their own record.
    const others = family.map((f) => f.subjectId).filter((id) => !decided.has(id));
    if (others.length) {
      for (const [id, d] of await this.#gate.decideMany(p, others, req)) decided.set(id, d);
    }
    // Each decision is audited on that person's record, in the same batch as the person asked about.
    for (const [id, d] of decided) {
      if (target.kind === 'person' && id === focusId) continue;
      pendingAudit.push(() => this.#gate.record(p, { ...req, subjectId: id, auditAction: `${auditAction}.member`, details: { focus: focusId, purposeProfile: profile.code } }, d.decision, ctx));
    }
    const audited = Promise.all(pendingAudit.map((write) => write()));

    // A shielded person who is in the family only by living there is shown only to someone who may see where they live.
    const withheldMembers: FamilySummary['withheldMembers'] = [];
    family = family.filter((f) => {
      const d = decided.get(f.subjectId);
      if (!d) return false;
      if (f.subjectId === focusId || f.relation !== 'lives with' || !d.facts.shielded) return true;
      if (d.decision.allowed.includes('whereabouts')) return true;
      withheldMembers.push({ reason: 'Someone else lives here who is shielded: they are shown only to practitioners working with them' });
      return false;
    });

    const ids = family.map((f) => f.subjectId);
    const [, details, items, involvements, consents] = await Promise.all([
      audited,
      this.#repo.familyDetails(ids, today),
      this.#repo.records(ids),
      this.#people.involvements(ids),
      this.#sharing.consentsOf(ids),
    ]);
    const { members: core, relations, households, marks } = details;
    const requester = requesterOf(p);
    const access = new Map<string, SummaryAccess>();
    for (const id of ids) {
      const d = decided.get(id)!;
      access.set(id, summaryAccess(profile, d.decision, { requester, facts: d.facts, consents: consents.get(id) ?? [], now }));
    }
    const members: FamilyMember[] = family.flatMap((f) => {
      const c = core.get(f.subjectId);
      return c ? [{ ...c, relationToFocus: f.relation, isFocus: f.subjectId === focusId }] : [];
    });
    // Involvements recorded in Team Around are records too (who worked with them, when).
    const allItems = [
      ...items,
      ...involvements.map((i) => ({
        key: `involvement:${i.id}`,
        subjectId: i.subjectId,
        source: 'involvement' as const,
        kind: 'involvement' as const,
        organisationId: i.organisationId,
        organisationName: i.organisationName,
        category: i.category,
        title: i.serviceName ? `${i.roleLabel}, ${i.serviceName}` : i.roleLabel,
        description: i.practitionerName ? `${i.practitionerName}${i.teamName ? ` (${i.teamName})` : ''}` : i.teamName,
        startDate: i.startDate,
        endDate: i.endDate,
        earlyHelpAssessment: i.earlyHelpAssessment,
        involvementId: i.id,
      })),
    ];
    const window = summaryWindow(q.window, today);
    const data = assembleFamilySummary({ members, access, items: allItems, marks, involvements, relations, householdJoins: households, window });
    const held = new Map(data.heldBy.map((h) => [h.organisationId, h.organisationName]));
    return {
      ...data,
      target,
      focusId,
      profile,
      reason: q.reason,
      viewer: { name: p.displayName, organisationName: p.organisationName },
      generatedAt: now,
      withheldMembers,
      familyWithheld,
      relations,
      households,
      agenciesHeld: [...held].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  /** The chronology with its filters applied (the summary's, audited as a chronology read). */
  async chronology(p: Principal, target: SummaryTarget, query: Record<string, unknown>, ctx: AuditContext) {
    const filter = parse(chronologyFilterSchema, query);
    const summary = await this.summary(p, target, query, ctx, 'family-summary.chronology.read');
    const entries = filterChronology(summary.chronology, {
      organisationIds: filter.agency,
      categories: filter.category,
      subjectIds: filter.person,
      significantOnly: filter.significant,
    });
    return { summary, filter, entries };
  }

  /**
   * Marks an event significant and/or records analysis (the worker-curated chronology). The entry is
   * case content of the writer's organisation: the policy must allow them to change that category of
   * the person, and an event they mark must be one they can see.
   */
  async mark(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<string> {
    const m = parse(markSchema, input);
    const category = await this.#repo.caseCategoryOf(p.organisationId);
    if (!category) throw new ForbiddenError('Your organisation is not recorded');
    const { now } = await this.#gate.check(
      p,
      {
        action: 'update',
        subjectId,
        categories: [category],
        purpose: 'curate the family chronology',
        auditAction: 'family-summary.chronology.mark',
        details: { itemKey: m.itemKey, significant: m.significant, analysis: m.analysis !== null },
      },
      ctx,
    );
    if (m.itemKey) {
      const items = await this.#repo.records([subjectId]);
      const involvementItems = (await this.#people.involvements([subjectId])).map((i) => ({
        key: `involvement:${i.id}`,
        subjectId,
        source: 'involvement' as const,
        kind: 'involvement' as const,
        organisationId: i.organisationId,
        organisationName: i.organisationName,
        category: i.category,
        title: i.roleLabel,
        description: null,
        startDate: i.startDate,
        endDate: i.endDate,
        involvementId: i.id,
      }));
      const item = [...items, ...involvementItems].find((x) => x.key === m.itemKey);
      const read = (await this.#gate.decideMany(p, [subjectId], { action: 'read', categories: SUMMARY_CATEGORIES, purpose: 'curate the family chronology' })).get(subjectId);
      const access = read ? summaryAccess(PURPOSE_PROFILES['work-with-family'], read.decision, { requester: requesterOf(p), facts: read.facts, consents: [], now }) : undefined;
      // As the summary: an organisation whose every involvement with the person is hidden (a sensitive service) is left out, its records too.
      const hidden = access ? (hiddenOrganisationsOf({ items: [...items, ...involvementItems], access: new Map([[subjectId, access]]) }).get(subjectId) ?? new Set<string>()) : new Set<string>();
      if (!item || itemVisibility(access, item, hidden) !== null) throw new NotFoundError('No such event in the chronology you can see');
    }
    const id = newId();
    await this.#repo.insertMark(
      { subjectId, id, itemKey: m.itemKey, significant: m.significant, entryDate: m.entryDate ?? now.toISOString().slice(0, 10), analysis: m.analysis, organisationId: p.organisationId, category, recordedBy: p.userId },
      now,
    );
    return id;
  }

  /** Records that the printable version was produced (who, when, for what, which people): audited before it is sent. */
  async recordPrint(p: Principal, summary: FamilySummary, ctx: AuditContext): Promise<void> {
    await this.#audit.record({
      actor: actorOf(p),
      action: 'family-summary.pdf',
      outcome: 'success',
      subjectType: summary.target.kind === 'person' ? 'person' : 'household',
      subjectId: summary.target.kind === 'person' ? summary.target.subjectId : summary.target.householdId,
      purpose: summary.profile.auditPurpose,
      reason: summary.reason,
      details: { purposeProfile: summary.profile.code, window: summary.window.choice, people: summary.members.map((m) => m.subjectId), entries: summary.chronology.length },
      context: ctx,
    });
  }
}

export { memberName };
