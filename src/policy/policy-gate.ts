import type { AuditContext, AuditService } from '../audit/audit-service.ts';
import type { Involvement, PeopleRepository } from '../repositories/people-repository.ts';
import { actorOf, NotFoundError, type Principal } from '../services/principal.ts';
import { decide, type Action, type DataCategory, type Decision, type Requester, type SubjectFacts } from './access-policy.ts';

export class AccessDeniedError extends Error {
  readonly status = 403;
  readonly decision: Decision;
  constructor(decision: Decision) {
    super(decision.reason);
    this.name = 'AccessDeniedError';
    this.decision = decision;
  }
}

export function requesterOf(p: Principal): Requester {
  return { userId: p.userId, organisationId: p.organisationId, organisationType: p.organisationType, teamIds: p.teamIds, roles: p.roles };
}

export interface GateRequest {
  action: Action;
  subjectId: string;
  categories: readonly DataCategory[];
  purpose: string;
  reason?: string | undefined;
  /** The audit action name, e.g. person.read. */
  auditAction: string;
  details?: Record<string, unknown>;
}

/**
 * The one door to a person's data: loads the facts, asks the policy, writes the audit entry
 * (allowed or denied), and only then lets the caller near the repository. Services call
 * `check` before every read or write of personal data.
 */
export class PolicyGate {
  readonly #people: PeopleRepository;
  readonly #audit: AuditService;
  readonly #now: () => Date;

  constructor(deps: { people: PeopleRepository; audit: AuditService; now?: (() => Date) | undefined }) {
    this.#people = deps.people;
    this.#audit = deps.audit;
    this.#now = deps.now ?? (() => new Date());
  }

  now(): Date {
    return this.#now();
  }

  async check(p: Principal, req: GateRequest, ctx: AuditContext): Promise<{ decision: Decision; facts: SubjectFacts; now: Date }> {
    const now = this.#now();
    const facts = await this.#people.policyFacts(req.subjectId, now);
    return { ...(await this.#decideAndRecord(p, req, facts, now, ctx)), facts, now };
  }

  /**
   * `check`, with the person's involvements as shown (organisation, team, practitioner and how to
   * reach them) loaded by the same statement as the facts, for "who is involved". They are handed
   * back only once the decision is audited, and only when it allows; the caller still filters them
   * by the decision (hidden involvements, withheld categories).
   */
  async checkWithInvolvements(
    p: Principal,
    req: GateRequest,
    ctx: AuditContext,
  ): Promise<{ decision: Decision; facts: SubjectFacts; involvements: Involvement[]; now: Date }> {
    const now = this.#now();
    const { facts, involvements } = await this.#people.policyFactsWithInvolvements(req.subjectId, now);
    return { ...(await this.#decideAndRecord(p, req, facts, now, ctx)), facts, involvements, now };
  }

  async #decideAndRecord(p: Principal, req: GateRequest, facts: SubjectFacts, now: Date, ctx: AuditContext): Promise<{ decision: Decision }> {
    const decision = decide(
      { requester: requesterOf(p), action: req.action, categories: req.categories, purpose: req.purpose, reason: req.reason },
      facts,
      now,
    );
    await this.record(p, req, decision, ctx);
    if (!facts.exists) throw new NotFoundError('No such person');
    if (!decision.allow) throw new AccessDeniedError(decision);
    return { decision };
  }

  /** Decides for many people at once (search results) without auditing each: the caller audits the search as one entry. */
  async decideMany(p: Principal, subjectIds: readonly string[], req: Omit<GateRequest, 'subjectId' | 'auditAction'>): Promise<Map<string, { decision: Decision; facts: SubjectFacts }>> {
    const now = this.#now();
    const factsById = await this.#people.policyFactsMany(subjectIds, now);
    const out = new Map<string, { decision: Decision; facts: SubjectFacts }>();
    for (const [id, facts] of factsById) {
      out.set(id, {
        facts,
        decision: decide({ requester: requesterOf(p), action: req.action, categories: req.categories, purpose: req.purpose, reason: req.reason }, facts, now),
      });
    }
    return out;
  }

  async record(p: Principal, req: GateRequest, decision: Decision, ctx: AuditContext): Promise<void> {
    await this.#audit.record({
      actor: actorOf(p),
      action: req.auditAction,
      outcome: decision.allow ? 'success' : 'denied',
      subjectType: 'person',
      subjectId: req.subjectId,
      purpose: req.purpose,
      reason: req.reason?.trim() ? req.reason.trim().slice(0, 1000) : decision.reason,
      details: {
        basis: decision.basis,
        allowed: decision.allowed,
        withheld: decision.redacted.map((r) => r.category),
        ...(req.details ?? {}),
      },
      context: ctx,
    });
  }
}
