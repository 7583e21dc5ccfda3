/**
 * The outbound feed of new births: each week, for each children's centre, the children born that
 * week whose home is in the centre's reach area (postcode districts and sectors) and whose parents
 * consented to their identity and whereabouts going to early years or the local authority for early
 * help (as the Greater Manchester and Warwickshire new-birth data-sharing arrangements do).
 *
 * Every child considered is a decision: listed (with consent) or withheld with the reason (no
 * covering consent, or shielded), and each is audited on the child's record, shared or not; the list
 * itself is one audit entry naming every child on it.
 */
import { z } from 'zod';
import type { Actor, AuditContext, AuditService } from '../audit/audit-service.ts';
import { newId } from '../ids.ts';
import { postcodeDistrict, postcodeSector } from '../people/identifiers.ts';
import { mayReceiveBirthsFeed } from '../policy/access-policy.ts';
import type { BirthCandidate, FeedRepository } from '../repositories/feed-repository.ts';
import type { OrganisationRepository } from '../repositories/organisation-repository.ts';
import type { SharingRepository } from '../repositories/sharing-repository.ts';
import { actorOf, ForbiddenError, NotFoundError, ValidationError, type Principal } from '../services/principal.ts';
import { BIRTHS_CATEGORIES, BIRTHS_PURPOSE, birthsDecision, type BirthsDecision } from '../policy/births.ts';
import { csvCell, OPERATOR_ACTOR, type FeedCaller } from './feed-service.ts';


/** Normalises a reach area entry: a postcode district ("NB1") or sector ("NB1 2"); null if it is neither. */
export function reachPrefix(text: string): string | null {
  const t = text.trim().toUpperCase().replace(/\s+/g, ' ');
  const sector = /^([A-Z]{1,2}[0-9][0-9A-Z]?) ?([0-9])$/.exec(t);
  if (sector) return `${sector[1]} ${sector[2]}`;
  return /^[A-Z]{1,2}[0-9][0-9A-Z]?$/.test(t) ? t : null;
}

export interface BirthsList {
  centre: { id: string; name: string };
  from: string;
  to: string;
  reachArea: string[];
  children: Array<Omit<BirthCandidate, 'subjectId' | 'shielded'>>;
  withheld: Array<{ reason: string; count: number }>;
}

export const weekSchema = z.object({
  from: z.iso.date('Give the first day as YYYY-MM-DD').optional(),
});

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The seven days before `now`'s Monday (the last complete week), or the week from a given Monday. */
export function weekOf(now: Date, from?: string): { from: string; to: string } {
  if (from) return { from, to: isoDay(new Date(Date.parse(`${from}T00:00:00Z`) + 6 * DAY)) };
  const today = Date.parse(`${isoDay(now)}T00:00:00Z`);
  const dow = (new Date(today).getUTCDay() + 6) % 7; // Monday 0
  const thisMonday = today - dow * DAY;
  return { from: isoDay(new Date(thisMonday - 7 * DAY)), to: isoDay(new Date(thisMonday - DAY)) };
}

export class BirthsFeedService {
  readonly #feeds: FeedRepository;
  readonly #sharing: SharingRepository;
  readonly #organisations: OrganisationRepository;
  readonly #audit: AuditService;
  readonly #now: () => Date;

  constructor(deps: { feeds: FeedRepository; sharing: SharingRepository; organisations: OrganisationRepository; audit: AuditService; now?: (() => Date) | undefined }) {
    this.#feeds = deps.feeds;
    this.#sharing = deps.sharing;
    this.#organisations = deps.organisations;
    this.#audit = deps.audit;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Sets a centre's reach area (the operator at the command line, or a system administrator). */
  async setReachArea(actor: Actor, organisationId: string, entries: readonly string[]): Promise<string[]> {
    const bad = entries.filter((e) => reachPrefix(e) === null);
    if (bad.length) throw new ValidationError({ postcodes: `Not a postcode district or sector: ${bad.join(', ')} (write them like NB1 or NB1 2)` });
    const prefixes = [...new Set(entries.map((e) => reachPrefix(e)!))].sort();
    await this.#feeds.setReachArea(organisationId, prefixes, this.#now());
    await this.#audit.record({ actor, action: 'reach-area.set', outcome: 'success', subjectType: 'organisation', subjectId: organisationId, details: { prefixes } });
    return prefixes;
  }

  /** One centre's list for one week, decided child by child and audited. */
  async list(caller: FeedCaller | { job: Actor }, centreId: string, week: { from: string; to: string }, context?: AuditContext): Promise<BirthsList> {
    const actor = typeof caller === 'object' && 'job' in caller ? caller.job : caller === 'operator' ? OPERATOR_ACTOR : actorOf(caller as Principal);
    const requester = typeof caller === 'object' && 'job' in caller ? { operator: true as const } : caller === 'operator' ? { operator: true as const } : { ...(caller as Principal), via: (caller as Principal).via };
    const centre = await this.#organisations.findById(centreId);
    if (!centre) throw new NotFoundError('There is no such organisation');
    const d = mayReceiveBirthsFeed(requester, centre.id);
    if (!d.allow) {
      await this.#audit.record({ actor, action: 'feed.births.list', outcome: 'denied', subjectType: 'organisation', subjectId: centre.id, reason: d.reason, context });
      throw new ForbiddenError(d.reason);
    }
    const reachArea = await this.#feeds.reachArea(centre.id);
    const now = this.#now();
    const today = isoDay(now);
    const candidates = await this.#feeds.birthsIn(week.from, week.to, reachArea);
    const children: BirthsList['children'] = [];
    const withheld = new Map<string, number>();
    const shared: string[] = [];
    // Defensive: the query matched the reach area; check again in code what the list is about.
    const inArea = candidates.filter((c) => reachArea.includes(postcodeDistrict(c.postcode) ?? '') || reachArea.includes(postcodeSector(c.postcode) ?? ''));
    const decided: Array<{ c: BirthCandidate; decision: BirthsDecision }> = [];
    const consents = await this.#sharing.consentsOf(inArea.map((c) => c.subjectId));
    for (const c of inArea) decided.push({ c, decision: birthsDecision(c, consents.get(c.subjectId) ?? [], centre, today, now) });
    // Queued together, the per-child entries commit as one audit batch (in this order) rather than one by one.
    await Promise.all(
      decided.map(({ c, decision }) =>
        this.#audit.record({
          actor,
          action: 'person.births-feed.share',
          outcome: decision.share ? 'success' : 'denied',
          subjectType: 'person',
          subjectId: c.subjectId,
          purpose: BIRTHS_PURPOSE,
          reason: decision.reason,
          details: { recipientOrganisationId: centre.id, categories: decision.share ? [...BIRTHS_CATEGORIES] : [], consentId: decision.consentId, week: week.from },
          context,
        }),
      ),
    );
    for (const { c, decision } of decided) {
      if (!decision.share) {
        const key = decision.reason.split(':')[0]!;
        withheld.set(key, (withheld.get(key) ?? 0) + 1);
        continue;
      }
      shared.push(c.subjectId);
      const { subjectId: _s, shielded: _sh, ...row } = c;
      children.push(row);
    }
    await this.#audit.record({
      actor,
      action: 'feed.births.list',
      outcome: 'success',
      subjectType: 'organisation',
      subjectId: centre.id,
      purpose: BIRTHS_PURPOSE,
      reason: d.reason,
      details: { from: week.from, to: week.to, reachArea, listed: shared, withheld: Object.fromEntries(withheld) },
      context,
    });
    return { centre: { id: centre.id, name: centre.name }, from: week.from, to: week.to, reachArea, children, withheld: [...withheld].map(([reason, count]) => ({ reason, count })) };
  }

  static csv(list: BirthsList): string {
    const head = 'given_names,family_name,date_of_birth,sex,address_line1,town,postcode\r\n';
    return head + list.children.map((c) => [c.givenNames ?? '', c.familyName ?? '', c.dateOfBirth, c.sex, c.line1, c.town ?? '', c.postcode].map(csvCell).join(',') + '\r\n').join('');
  }

  /**
   * The weekly job: for each centre with a reach area, decides last week's list (audited as the job)
   * and tells the centre's team managers and IG lead how many children are on it, with the link to
   * download it. The list is not stored: the download decides it again, for the person downloading.
   */
  async announceWeekly(job: Actor, context?: AuditContext): Promise<{ centres: number; children: number }> {
    const week = weekOf(this.#now());
    let children = 0;
    const centres = await this.#feeds.centres();
    for (const c of centres) {
      const list = await this.list({ job }, c.id, week, context);
      children += list.children.length;
      const recipients = await this.#feeds.staffWithRoles(c.id, ['team_manager', 'ig_lead']);
      const withheld = list.withheld.reduce((n, w) => n + w.count, 0);
      await this.#feeds.notify(
        recipients.map((u) => ({
          id: newId(),
          recipientUserId: u,
          kind: 'births-feed',
          message: `${list.children.length} new birth${list.children.length === 1 ? '' : 's'} in your reach area from ${week.from} to ${week.to}` + (withheld ? ` (${withheld} more without the parents' consent, not listed)` : ''),
          link: `/feeds/births.csv?from=${week.from}`,
        })),
        this.#now(),
      );
    }
    return { centres: centres.length, children };
  }
}
