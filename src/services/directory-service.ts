import { z } from 'zod';
import { SYSTEM_ACTOR, type Actor, type AuditContext, type AuditService } from '../audit/audit-service.ts';
import { ROW_PART_NAMES, rowIssue, rowPartsSchema } from '../directory/edit-rows.ts';
import { SERVICE_STATUSES, type DirectoryData } from '../directory/model.ts';
import { boundingBox, centroidColumns, centroidFrom, isRowProblem, parseCentroids, type Centroid, type CentroidColumns, type RowProblem } from '../directory/postcode.ts';
import { exportTables, planImport, type ImportPlan } from '../directory/tabular.ts';
import { newId } from '../ids.ts';
import { normalisePostcode } from '../people/identifiers.ts';
import { requesterOf, type PolicyGate } from '../policy/policy-gate.ts';
import { mayAdministerDirectory, mayApproveEdit, mayEditService, mayRefer, maySeeReferral } from '../policy/directory.ts';
import type { DirectoryRepository, EditRows, ServiceEdit, ServiceFilter, ServiceHit, ServiceReferral, StoredService } from '../repositories/directory-repository.ts';
import type { OrganisationRepository } from '../repositories/organisation-repository.ts';
import type { PeopleRepository } from '../repositories/people-repository.ts';
import type { SettingRepository } from '../repositories/setting-repository.ts';
import type { ConsentService } from './consent-service.ts';
import { parse } from './person-service.ts';
import { actorOf, ForbiddenError, NotFoundError, ValidationError, type Principal } from './principal.ts';

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The standard's advice: check each service's details at least every three months. */
export const DEFAULT_STALE_AFTER_DAYS = 91;
/** Owners are reminded this many days before a service becomes stale, then weekly until it is checked. */
export const DEFAULT_REMIND_BEFORE_DAYS = 14;
const SETTING_KEY = 'directory';
export const MAX_PAGE_SIZE = 500;

// ---------- the search, shared by /api/oruk and the pages ----------

export const searchSchema = z.object({
  search: z.preprocess(blank, z.string().trim().max(200, 'Search words must be 200 characters or fewer').optional()).meta({ description: 'Words to look for in the name, description, provider and categories' }),
  text: z.preprocess(blank, z.string().trim().max(200, 'Search words must be 200 characters or fewer').optional()).meta({ description: 'The same as search (the ORUK 1.0 name)' }),
  taxonomy_term_id: z.preprocess(blank, z.uuid('Choose a category from the list').optional()),
  taxonomy_id: z.preprocess(blank, z.uuid('The taxonomy id must be a UUID').optional()),
  organization_id: z.preprocess(blank, z.uuid('The organization id must be a UUID').optional()),
  age: z.preprocess(blank, z.coerce.number({ error: 'Enter an age in whole years, like 7' }).int('Enter an age in whole years, like 7').min(0, 'Enter an age of 0 or more').max(125, 'Enter an age of 125 or less').optional()),
  postcode: z.preprocess(blank, z.string().trim().max(10, 'Enter a full UK postcode, like NB1 2AB').optional()),
  proximity: z.preprocess(blank, z.coerce.number({ error: 'The distance must be a number of metres' }).min(1, 'The distance must be at least 1 metre').max(200_000, 'The distance must be 200 km (200000 metres) or less').optional()).meta({ description: 'Metres from the postcode\'s centroid (needs postcode)' }),
  modified_after: z.preprocess(blank, z.iso.datetime({ offset: true, error: 'modified_after must be a date and time like 2025-01-31T00:00:00Z' }).optional()),
  page: z.preprocess(blank, z.coerce.number({ error: 'The page must be a whole number from 1' }).int('The page must be a whole number from 1').min(1, 'The page must be a whole number from 1').max(100_000).default(1)),
  per_page: z.preprocess(blank, z.coerce.number({ error: `per_page must be a whole number from 1 to ${MAX_PAGE_SIZE}` }).int().min(1, `per_page must be from 1 to ${MAX_PAGE_SIZE}`).max(MAX_PAGE_SIZE, `per_page must be from 1 to ${MAX_PAGE_SIZE}`).default(50)),
});
export type SearchInput = z.input<typeof searchSchema>;

export interface SearchResult {
  total: number;
  page: number;
  size: number;
  hits: ServiceHit[];
  /** The postcode searched from, as written properly. */
  postcode: string | undefined;
}

// ---------- an owner's edit ----------

const optionalText = (label: string, max: number) => z.preprocess(blank, z.string().trim().max(max, `${label} must be ${max} characters or fewer`).optional());
const optionalAge = (label: string) =>
  z.preprocess(blank, z.coerce.number({ error: `Enter the ${label} in whole years` }).int(`Enter the ${label} in whole years`).min(0, `The ${label} must be 0 or more`).max(125, `The ${label} must be 125 or less`).optional());
const checkbox = z.preprocess((v) => v === true || v === 'true' || v === 'yes' || v === 'on', z.boolean());

export const serviceEditSchema = z
  .object({
    name: z.string({ error: 'Enter the name of the service' }).trim().min(2, 'Enter the name of the service').max(200, 'The name must be 200 characters or fewer'),
    description: z.string({ error: 'Say what the service does' }).trim().min(10, 'Say what the service does, in at least 10 characters').max(4000, 'The description must be 4000 characters or fewer'),
    status: z.enum(SERVICE_STATUSES, { error: 'Choose whether the service is running' }),
    url: z.preprocess(blank, z.url({ protocol: /^https?$/, error: 'Enter a web address starting https://' }).optional()),
    email: z.preprocess(blank, z.email('Enter an email address like name@example.org').optional()),
    phone: z.preprocess(blank, z.string().trim().regex(/^[0-9 +()-]{6,20}$/, 'Enter a telephone number, like 01632 960 123').optional()),
    minimumAge: optionalAge('youngest age'),
    maximumAge: optionalAge('oldest age'),
    eligibility: optionalText('Who it is for', 2000),
    referralProcedure: optionalText('How to refer', 2000),
    takesReferrals: checkbox.default(false),
    fees: optionalText('Costs', 500),
    termIds: z.preprocess((v) => (typeof v === 'string' ? [v] : v ?? []), z.array(z.uuid('Choose categories from the list')).max(20)),
    locationName: optionalText('The place\'s name', 200),
    address1: optionalText('The address', 200),
    city: optionalText('The town', 100),
    postcode: optionalText('The postcode', 10),
    ...rowPartsSchema.shape,
  })
  .superRefine((v, ctx) => {
    if (v.minimumAge !== undefined && v.maximumAge !== undefined && v.maximumAge < v.minimumAge) ctx.addIssue({ code: 'custom', path: ['maximumAge'], message: 'The oldest age must be the same as or more than the youngest age' });
    if (v.postcode && !normalisePostcode(v.postcode)) ctx.addIssue({ code: 'custom', path: ['postcode'], message: 'Enter a full UK postcode, like NB1 2AB' });
    if ((v.address1 || v.city) && !v.postcode) ctx.addIssue({ code: 'custom', path: ['postcode'], message: 'Enter the postcode of the address' });
    if (v.postcode && (!v.address1 || !v.city)) ctx.addIssue({ code: 'custom', path: [v.address1 ? 'city' : 'address1'], message: v.address1 ? 'Enter the town' : 'Enter the first line of the address' });
    if (v.takesReferrals && !v.referralProcedure) ctx.addIssue({ code: 'custom', path: ['referralProcedure'], message: 'Say how referrals are handled, as the service takes them in Team Around' });
  });
export type ServiceEditInput = z.input<typeof serviceEditSchema>;
type ServiceEditValues = z.output<typeof serviceEditSchema>;

/** Parses a proposed change; a problem in a repeatable part says which row ("Opening time 2: …"), keyed part.row.field. */
export function parseServiceEdit(input: unknown): ServiceEditValues {
  const r = serviceEditSchema.safeParse(input);
  if (r.success) return r.data;
  const fields: Record<string, string> = {};
  for (const issue of r.error.issues) {
    const { key, message } = rowIssue(issue.path, issue.message);
    fields[key || 'form'] ??= message;
  }
  throw new ValidationError(fields);
}

export const decisionNoteSchema = z.object({ note: z.preprocess(blank, z.string().trim().max(2000, 'The note must be 2000 characters or fewer').optional()) });
export const rejectSchema = z.object({ note: z.string({ error: 'Say why the change is not approved' }).trim().min(5, 'Say why the change is not approved, in at least 5 characters').max(2000) });

export const settingsSchema = z.object({
  staleAfterDays: z.coerce.number({ error: 'Enter a number of days' }).int('Enter a whole number of days').min(7, 'Enter at least 7 days').max(730, 'Enter 730 days (two years) or fewer'),
  remindBeforeDays: z.coerce.number({ error: 'Enter a number of days' }).int('Enter a whole number of days').min(0, 'Enter 0 days or more').max(90, 'Enter 90 days or fewer'),
});
export type DirectorySettings = z.output<typeof settingsSchema>;

// ---------- a referral ----------

const REFERRAL_CATEGORIES = ['identity', 'contacts', 'whereabouts', 'family'] as const;

export const referralSchema = z
  .object({
    subjectId: z.uuid('Choose the person you are referring'),
    reason: z.string({ error: 'Say why you are referring them' }).trim().min(10, 'Say why you are referring them, in at least 10 characters').max(4000, 'The reason must be 4000 characters or fewer'),
    categories: z.preprocess((v) => (typeof v === 'string' ? [v] : v ?? []), z.array(z.enum(REFERRAL_CATEGORIES, { error: 'Choose what you will send' })).min(1, 'Choose what you will send: at least who they are')),
    consent: z.enum(['given', 'refused'], { error: 'Say whether the family agreed to the referral' }),
    givenBy: z.enum(['person', 'parental_responsibility', 'lawful_representative'], { error: 'Say who agreed or refused' }),
    givenByName: z.preprocess(blank, z.string().trim().max(200).optional()),
    capacityAssessment: z.enum(['gillick', 'mental_capacity', 'presumed'], { error: 'Say how their capacity to decide was established' }).default('presumed'),
    method: z.enum(['verbal', 'written', 'electronic'], { error: 'Say how they agreed or refused' }),
  })
  .superRefine((v, ctx) => {
    if (!v.categories.includes('identity')) ctx.addIssue({ code: 'custom', path: ['categories'], message: 'A referral always says who the person is: include their name and date of birth' });
  });

export type DirectoryActor = { principal: Principal } | { operator: true };

/**
 * The service directory (Open Referral UK): the public search and service pages, the ORUK API,
 * owners' edits with an administrator's approval, staleness reminders, tabular import and export,
 * postcode centroids, and referrals of a person to a provider that takes them in Team Around.
 * Directory records are not about people; named contacts' details are practitioners' personal data
 * (left out of what the public sees), and a referral is personal data: it passes the PolicyGate and
 * is audited.
 */
export class DirectoryService {
  readonly #repo: DirectoryRepository;
  readonly #orgs: OrganisationRepository;
  readonly #people: PeopleRepository;
  readonly #settings: SettingRepository;
  readonly #consents: ConsentService;
  readonly #gate: PolicyGate;
  readonly #audit: AuditService;
  readonly #now: () => Date;

  constructor(deps: {
    directory: DirectoryRepository;
    organisations: OrganisationRepository;
    people: PeopleRepository;
    settings: SettingRepository;
    consents: ConsentService;
    gate: PolicyGate;
    audit: AuditService;
    now?: (() => Date) | undefined;
  }) {
    this.#repo = deps.directory;
    this.#orgs = deps.organisations;
    this.#people = deps.people;
    this.#settings = deps.settings;
    this.#consents = deps.consents;
    this.#gate = deps.gate;
    this.#audit = deps.audit;
    this.#now = deps.now ?? (() => new Date());
  }

  get repository(): DirectoryRepository {
    return this.#repo;
  }

  // ---------- public reading ----------

  /** Where a postcode is, or a field error saying why it cannot be used. */
  async locate(raw: string): Promise<{ pcds: string; latitude: number; longitude: number }> {
    const pcds = normalisePostcode(raw);
    if (!pcds) throw new ValidationError({ postcode: 'Enter a full UK postcode, like NB1 2AB' });
    const c = await this.#repo.centroid(pcds);
    if (!c) throw new ValidationError({ postcode: `We do not know where ${pcds} is. Check the postcode, or search without it` });
    return c;
  }

  async search(input: unknown, options: { publishedOnly?: boolean; ownerOrganisationId?: string } = {}): Promise<SearchResult> {
    const q = parse(searchSchema, input);
    if (q.proximity !== undefined && !q.postcode) throw new ValidationError({ postcode: 'Enter a postcode to search by distance' });
    const filter: ServiceFilter = {
      text: q.search ?? q.text,
      termId: q.taxonomy_term_id,
      taxonomyId: q.taxonomy_id,
      organizationId: q.organization_id,
      age: q.age,
      modifiedAfter: q.modified_after ? new Date(q.modified_after) : undefined,
      publishedOnly: options.publishedOnly ?? true,
      ownerOrganisationId: options.ownerOrganisationId,
    };
    let postcode: string | undefined;
    if (q.postcode) {
      const c = await this.locate(q.postcode);
      postcode = c.pcds;
      filter.near = { latitude: c.latitude, longitude: c.longitude, metres: q.proximity, box: q.proximity !== undefined ? boundingBox(c.latitude, c.longitude, q.proximity) : undefined };
    }
    const { total, hits } = await this.#repo.searchServices(filter, q.page, q.per_page);
    return { total, page: q.page, size: q.per_page, hits, postcode };
  }

  /** A published service with everything about it; unpublished ones are not found (the public, /api/oruk). */
  async publishedService(id: string) {
    if (!z.uuid().safeParse(id).success) throw new NotFoundError('No such service');
    const full = await this.#repo.serviceFull(id);
    if (!full || !full.service.published) throw new NotFoundError('No such service');
    return full;
  }

  /** Any service, for its owner's staff or an administrator (drafts too). */
  async serviceForEditor(p: Principal, id: string) {
    if (!z.uuid().safeParse(id).success) throw new NotFoundError('No such service');
    const full = await this.#repo.serviceFull(id);
    if (!full) throw new NotFoundError('No such service');
    if (!full.service.published && !mayEditService(requesterOf(p), full.service).allow) throw new NotFoundError('No such service');
    return full;
  }

  // ---------- edits and approval ----------

  async #deny(actor: Actor, action: string, reason: string, ctx: AuditContext, subjectId?: string): Promise<never> {
    await this.#audit.record({ actor, action: `directory.${action}`, outcome: 'denied', subjectType: 'directory-service', subjectId: subjectId ?? null, reason, context: ctx });
    throw new ForbiddenError(reason);
  }

  async assertMayEdit(p: Principal, service: Pick<StoredService, 'id' | 'ownerOrganisationId'>, ctx: AuditContext): Promise<void> {
    const d = mayEditService(requesterOf(p), service);
    if (!d.allow) await this.#deny(actorOf(p), 'service.edit', d.reason, ctx, service.id);
  }

  /** The services a member of staff may propose changes to (their organisation's; every one for an administrator). */
  async editable(p: Principal): Promise<StoredService[]> {
    const admin = mayAdministerDirectory(requesterOf(p)).allow;
    const { hits } = await this.#repo.searchServices({ publishedOnly: false, ownerOrganisationId: admin ? undefined : p.organisationId }, 1, MAX_PAGE_SIZE);
    return hits.map((h) => h.service);
  }

  async #checkEdit(v: ServiceEditValues, hasPlace = false): Promise<{ latitude: number; longitude: number; pcds: string } | null> {
    return (await this.#checkPlaces(v, hasPlace)).where;
  }

  /** Checks categories and postcodes; gives where the first place and each other place are. */
  async #checkPlaces(v: ServiceEditValues, hasPlace = false): Promise<{ where: { latitude: number; longitude: number; pcds: string } | null; places: Array<{ latitude: number; longitude: number; pcds: string } | null> }> {
    const problems: Record<string, string> = {};
    // Accessibility is about a place: the service's (first) location, or the address given now.
    if (v.accessibility?.length && !hasPlace && !v.address1) problems['accessibility.0.description'] = 'Accessibility 1: give the address of the place (under Where) before saying how accessible it is';
    for (const [i, t] of v.termIds.entries()) if (!(await this.#repo.term(t))) problems[`termIds.${i}`] = 'Choose categories from the list';
    let where: { latitude: number; longitude: number; pcds: string } | null = null;
    if (v.postcode) {
      try {
        where = await this.locate(v.postcode);
      } catch (err) {
        if (err instanceof ValidationError) Object.assign(problems, err.fields);
        else throw err;
      }
    }
    const places: Array<{ latitude: number; longitude: number; pcds: string } | null> = [];
    for (const [i, x] of (v.places ?? []).entries()) {
      try {
        places.push(await this.locate(x.postcode));
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        const m = err.fields.postcode ?? 'Enter a full UK postcode';
        problems[`places.${i}.postcode`] = `Place ${i + 1}: ${m.charAt(0).toLowerCase()}${m.slice(1)}`;
        places.push(null);
      }
    }
    if (Object.keys(problems).length) throw new ValidationError(problems);
    return { where, places };
  }

  /** A new service, proposed by staff of the provider (or an administrator): unpublished until approved. */
  async proposeNew(p: Principal, input: unknown, ctx: AuditContext): Promise<{ serviceId: string; editId: string }> {
    const d = mayEditService(requesterOf(p), { ownerOrganisationId: p.organisationId });
    if (!d.allow) await this.#deny(actorOf(p), 'service.propose', d.reason, ctx);
    const v = parseServiceEdit(input);
    await this.#checkEdit(v);
    const now = this.#now();
    const org = await this.#orgs.findById(p.organisationId);
    if (!org) throw new NotFoundError('No such organisation');
    const organizationId = await this.#repo.organizationFor({ id: org.id, name: org.name }, now, newId());
    const serviceId = newId();
    const editId = newId();
    await this.#repo.insertDraftService(
      { id: serviceId, organizationId, ownerOrganisationId: p.organisationId, name: v.name, status: v.status, lastCheckedOn: isoDay(now) },
      { id: editId, proposed: v, submittedBy: p.userId },
      now,
    );
    await this.#audit.record({ actor: actorOf(p), action: 'directory.service.propose', outcome: 'success', subjectType: 'directory-service', subjectId: serviceId, details: { editId, name: v.name }, context: ctx });
    return { serviceId, editId };
  }

  /** A change to an existing service: waits for approval; the published version stays live meanwhile. */
  async proposeEdit(p: Principal, serviceId: string, input: unknown, ctx: AuditContext): Promise<{ editId: string }> {
    const s = await this.#repo.service(serviceId);
    if (!s) throw new NotFoundError('No such service');
    await this.assertMayEdit(p, s, ctx);
    const v = parseServiceEdit(input);
    await this.#checkEdit(v, await this.#hasPlace(serviceId));
    const editId = newId();
    if (!(await this.#repo.insertEdit({ id: editId, serviceId, proposed: v, submittedBy: p.userId }, this.#now()))) {
      throw new ValidationError({ form: 'A change to this service is already waiting for approval: wait for it to be approved or rejected' });
    }
    await this.#audit.record({ actor: actorOf(p), action: 'directory.service.edit', outcome: 'success', subjectType: 'directory-service', subjectId: serviceId, details: { editId, parts: ROW_PART_NAMES.filter((k) => v[k] !== undefined) }, context: ctx });
    return { editId };
  }

  async #hasPlace(serviceId: string): Promise<boolean> {
    return Boolean((await this.#repo.serviceFull(serviceId))?.locations.length);
  }

  /** The current values of a service as edit form values (every contact; its first location, and that place's accessibility). */
  async editValues(serviceId: string): Promise<ServiceEditInput> {
    const full = await this.#repo.serviceFull(serviceId);
    if (!full) throw new NotFoundError('No such service');
    const s = full.service;
    const l = full.locations[0]?.location;
    return {
      name: s.name,
      description: s.description ?? '',
      status: s.status,
      url: s.url ?? '',
      email: s.email ?? '',
      phone: s.phone ?? '',
      minimumAge: s.minimumAge ?? undefined,
      maximumAge: s.maximumAge ?? undefined,
      eligibility: s.eligibilityDescription ?? '',
      referralProcedure: s.applicationProcess ?? '',
      takesReferrals: s.takesReferrals,
      fees: s.fees ?? '',
      termIds: full.terms.map((t) => t.term.id),
      locationName: l?.name ?? '',
      address1: l?.address1 ?? '',
      city: l?.city ?? '',
      postcode: l?.postalCode ?? '',
      contacts: full.contacts.map((x) => ({ id: x.id, name: x.name ?? '', title: x.title ?? '', email: x.email ?? '', phone: x.phone ?? '' })),
      schedules: full.schedules.map((x) => ({
        id: x.id,
        byday: (x.byday ?? '').split(',').map((d) => d.trim()).filter(Boolean),
        opensAt: x.opensAt ?? '',
        closesAt: x.closesAt ?? '',
        description: x.description ?? '',
      })),
      costs: full.costOptions.map((x) => ({ id: x.id, option: x.option ?? '', amount: x.amount === null ? '' : String(x.amount), amountDescription: x.amountDescription ?? '' })),
      languages: full.languages.map((x) => ({ id: x.id, name: x.name ?? '', code: x.code ?? '' })),
      areas: full.serviceAreas.map((x) => ({ id: x.id, name: x.name ?? '', description: x.description ?? '' })),
      accessibility: (full.locations[0]?.accessibility ?? []).map((x) => ({ id: x.id, description: x.description ?? '', details: x.details ?? '' })),
      places: full.locations.slice(1).map(({ location: x, accessibility }) => ({
        id: x.id,
        name: x.name ?? '',
        address1: x.address1 ?? '',
        city: x.city ?? '',
        postcode: x.postalCode ?? '',
        accessibility: accessibility.map((a) => a.description ?? '').filter(Boolean).join('\n'),
      })),
    };
  }

  async edits(p: Principal, status: 'pending' | 'approved' | 'rejected' = 'pending'): Promise<ServiceEdit[]> {
    const admin = mayAdministerDirectory(requesterOf(p)).allow;
    return this.#repo.edits({ status, ownerOrganisationId: admin ? undefined : p.organisationId });
  }

  async edit(p: Principal, id: string): Promise<ServiceEdit> {
    if (!z.uuid().safeParse(id).success) throw new NotFoundError('No such change');
    const e = await this.#repo.edit(id);
    if (!e) throw new NotFoundError('No such change');
    if (!mayAdministerDirectory(requesterOf(p)).allow && e.ownerOrganisationId !== p.organisationId) throw new NotFoundError('No such change');
    return e;
  }

  async approve(p: Principal, editId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const e = await this.edit(p, editId);
    const d = mayApproveEdit(requesterOf(p), e);
    if (!d.allow) await this.#deny(actorOf(p), 'edit.approve', d.reason, ctx, e.serviceId);
    const { note } = parse(decisionNoteSchema, input);
    const v = parseServiceEdit(e.proposed);
    const full = (await this.#repo.serviceFull(e.serviceId))!;
    const { where, places } = await this.#checkPlaces(v, full.locations.length > 0);
    const others = full.locations.slice(1);
    const now = this.#now();
    const loc = full.locations[0];
    // A row keeps its id when it is one of this service's rows; otherwise it is a new row.
    const keep = (id: string | undefined, existing: ReadonlyArray<{ id: string }>) => (id && existing.some((x) => x.id === id) ? id : newId());
    const rows: EditRows = {
      contacts: v.contacts?.map((x) => ({ id: keep(x.id, full.contacts), name: x.name ?? null, title: x.title ?? null, email: x.email ?? null, phone: x.phone ?? null })),
      schedules: v.schedules?.map((x) => ({ id: keep(x.id, full.schedules), byday: x.byday.join(','), opensAt: x.opensAt, closesAt: x.closesAt, description: x.description ?? null })),
      costs: v.costs?.map((x) => ({ id: keep(x.id, full.costOptions), option: x.option, amount: x.amount, amountDescription: x.amountDescription ?? null })),
      languages: v.languages?.map((x) => ({ id: keep(x.id, full.languages), name: x.name, code: x.code ?? null })),
      areas: v.areas?.map((x) => ({ id: keep(x.id, full.serviceAreas), name: x.name, description: x.description ?? null })),
      accessibility: v.accessibility?.map((x) => ({ id: keep(x.id, loc?.accessibility ?? []), description: x.description, details: x.details ?? null })),
      placeId: loc?.location.id ?? null,
      otherPlaceIds: others.map((x) => x.location.id),
      places: v.places?.map((x, i) => {
        const was = others.find((o) => o.location.id === x.id);
        const c = places[i]!;
        return {
          id: was?.location.id ?? newId(),
          salId: was?.serviceAtLocationId ?? newId(),
          addressId: was?.location.addressId ?? newId(),
          name: x.name ?? null,
          address1: x.address1,
          city: x.city,
          postalCode: c.pcds,
          latitude: c.latitude,
          longitude: c.longitude,
          // Notes keep the ids of that place's notes in order.
          accessibility: x.accessibility.map((d, j) => ({ id: was?.accessibility[j]?.id ?? newId(), description: d })),
        };
      }),
    };
    const ok = await this.#repo.applyEdit(
      editId,
      {
        serviceId: e.serviceId,
        fields: {
          name: v.name,
          description: v.description,
          url: v.url ?? null,
          email: v.email ?? null,
          phone: v.phone ?? null,
          status: v.status,
          fees: v.fees ?? null,
          minimumAge: v.minimumAge ?? null,
          maximumAge: v.maximumAge ?? null,
          eligibilityDescription: v.eligibility ?? null,
          applicationProcess: v.referralProcedure ?? null,
          takesReferrals: v.takesReferrals,
          lastCheckedOn: isoDay(now),
        },
        termIds: v.termIds,
        rows,
        location:
          where && v.address1 && v.city
            ? {
                id: loc?.location.id ?? newId(),
                salId: loc?.serviceAtLocationId ?? newId(),
                addressId: loc?.location.addressId ?? newId(),
                name: v.locationName ?? null,
                address1: v.address1,
                city: v.city,
                postalCode: where.pcds,
                latitude: where.latitude,
                longitude: where.longitude,
              }
            : null,
      },
      p.userId,
      note ?? null,
      now,
    );
    if (!ok) throw new ValidationError({ form: 'This change was already approved or rejected' });
    await this.#audit.record({ actor: actorOf(p), action: 'directory.edit.approve', outcome: 'success', subjectType: 'directory-service', subjectId: e.serviceId, details: { editId, submittedBy: e.submittedBy, parts: ROW_PART_NAMES.filter((k) => v[k] !== undefined) }, context: ctx });
  }

  async reject(p: Principal, editId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const e = await this.edit(p, editId);
    const d = mayAdministerDirectory(requesterOf(p));
    if (!d.allow) await this.#deny(actorOf(p), 'edit.reject', d.reason, ctx, e.serviceId);
    const { note } = parse(rejectSchema, input);
    if (!(await this.#repo.rejectEdit(editId, p.userId, note, this.#now()))) throw new ValidationError({ form: 'This change was already approved or rejected' });
    await this.#audit.record({ actor: actorOf(p), action: 'directory.edit.reject', outcome: 'success', subjectType: 'directory-service', subjectId: e.serviceId, reason: note, details: { editId }, context: ctx });
  }

  /** The owner confirms the published details are still right: the last-checked date becomes today. */
  async confirmChecked(p: Principal, serviceId: string, ctx: AuditContext): Promise<void> {
    const s = await this.#repo.service(serviceId);
    if (!s || !s.published) throw new NotFoundError('No such service');
    await this.assertMayEdit(p, s, ctx);
    const now = this.#now();
    await this.#repo.markChecked(serviceId, isoDay(now), now);
    await this.#audit.record({ actor: actorOf(p), action: 'directory.service.checked', outcome: 'success', subjectType: 'directory-service', subjectId: serviceId, context: ctx });
  }

  // ---------- staleness ----------

  async settings(): Promise<DirectorySettings> {
    const s = await this.#settings.get<Partial<DirectorySettings>>(SETTING_KEY);
    return { staleAfterDays: s?.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS, remindBeforeDays: s?.remindBeforeDays ?? DEFAULT_REMIND_BEFORE_DAYS };
  }

  async setSettings(p: Principal, input: unknown, ctx: AuditContext): Promise<DirectorySettings> {
    const d = mayAdministerDirectory(requesterOf(p));
    if (!d.allow) await this.#deny(actorOf(p), 'settings', d.reason, ctx);
    const v = parse(settingsSchema, input);
    if (v.remindBeforeDays >= v.staleAfterDays) throw new ValidationError({ remindBeforeDays: 'Remind owners fewer days before than the age at which a service is out of date' });
    await this.#settings.set(SETTING_KEY, v);
    await this.#audit.record({ actor: actorOf(p), action: 'directory.settings', outcome: 'success', subjectType: 'directory', details: v, context: ctx });
    return v;
  }

  /** Published services out of date (not checked for `staleAfterDays`) or due soon, oldest first, with days since checked. */
  async staleReport(now: Date = this.#now()): Promise<{ settings: DirectorySettings; services: Array<StoredService & { daysSinceChecked: number; stale: boolean }> }> {
    const settings = await this.settings();
    const dueFrom = isoDay(new Date(now.getTime() - (settings.staleAfterDays - settings.remindBeforeDays) * DAY));
    const today = Date.parse(`${isoDay(now)}T00:00:00Z`);
    const services = (await this.#repo.staleServices(dueFrom)).map((s) => {
      const days = Math.round((today - Date.parse(`${s.lastCheckedOn}T00:00:00Z`)) / DAY);
      return { ...s, daysSinceChecked: days, stale: days >= settings.staleAfterDays };
    });
    return { settings, services };
  }

  /**
   * Reminds the owners (team managers and practitioners of the owning organisation) of each
   * published service that is stale or within `remindBeforeDays` of it, at most once a week per
   * service (the claim makes a second run send nothing more).
   */
  async remindStale(now: Date = this.#now(), by: { actor: Actor; context?: AuditContext | undefined } = { actor: SYSTEM_ACTOR }): Promise<{ services: number; notifications: number }> {
    const { settings, services } = await this.staleReport(now);
    let reminded = 0;
    let sent = 0;
    for (const s of services) {
      const staff = await this.#repo.ownerStaff(s.ownerOrganisationId);
      const due = isoDay(new Date(Date.parse(`${s.lastCheckedOn}T00:00:00Z`) + settings.staleAfterDays * DAY));
      const message = s.stale
        ? `The directory entry for ${s.name} was last checked ${s.daysSinceChecked} days ago and is out of date: check it and confirm or change it`
        : `The directory entry for ${s.name} needs checking by ${due}: confirm it is still right or change it`;
      const notifications = staff.map((u) => ({ id: newId(), recipientUserId: u, message, link: `/directory/manage/services/${s.id}` }));
      if (await this.#repo.claimReminder(s.id, new Date(now.getTime() - 7 * DAY), now, notifications)) {
        reminded++;
        sent += notifications.length;
        await this.#audit.record({
          actor: by.actor,
          action: 'directory.service.stale-reminder',
          outcome: 'success',
          subjectType: 'directory-service',
          subjectId: s.id,
          details: { lastCheckedOn: s.lastCheckedOn, stale: s.stale, notified: notifications.length },
          context: by.context,
        });
      }
    }
    return { services: reminded, notifications: sent };
  }

  // ---------- import and export ----------

  #actor(a: DirectoryActor): Actor {
    return 'operator' in a ? { userId: null, label: 'cli', organisationId: null, roles: [] } : actorOf(a.principal);
  }

  async #mayAdminister(a: DirectoryActor, action: string, ctx: AuditContext): Promise<void> {
    if ('operator' in a) return;
    const d = mayAdministerDirectory(requesterOf(a.principal));
    if (!d.allow) await this.#deny(actorOf(a.principal), action, d.reason, ctx);
  }

  /**
   * Imports the tabular form's files (name → text). Good rows are written in one transaction,
   * published, owned by `ownerOrganisationId`; refused rows come back with file, row and column.
   */
  async importTables(a: DirectoryActor, files: ReadonlyMap<string, string>, ownerOrganisationId: string, ctx: AuditContext = {}): Promise<Omit<ImportPlan, 'data'>> {
    await this.#mayAdminister(a, 'import', ctx);
    if (!(await this.#orgs.findById(ownerOrganisationId))) throw new ValidationError({ owner: 'Choose the organisation that will keep these services up to date' });
    if (files.size === 0) throw new ValidationError({ files: 'Choose at least one CSV file, like services.csv' });
    const now = this.#now();
    const plan = planImport(files, await this.#repo.existingIds(), isoDay(now));
    await this.#repo.importData(plan.data, ownerOrganisationId, now);
    await this.#audit.record({
      actor: this.#actor(a),
      action: 'directory.import',
      outcome: 'success',
      subjectType: 'directory',
      details: { counts: plan.counts, refusedRows: new Set(plan.problems.map((x) => `${x.file}:${x.row}`)).size, ignoredFiles: plan.ignoredFiles, owner: ownerOrganisationId },
      context: ctx,
    });
    return { problems: plan.problems, counts: plan.counts, ignoredFiles: plan.ignoredFiles };
  }

  /**
   * The published directory in the tabular form. Anyone may export it; contacts' names, email
   * addresses and telephone numbers (practitioners' personal data) only an administrator or the
   * operator (`contacts: 'full'`).
   */
  async exportTables(options: { contacts: 'public' | 'full' } = { contacts: 'full' }): Promise<Map<string, string>> {
    return exportTables(await this.exportData(), options);
  }

  async exportData(): Promise<DirectoryData> {
    return this.#repo.exportData();
  }

  /** Imports postcode centroids in the ONS Postcode Directory layout; refused rows come back with row and column. */
  async importCentroids(a: DirectoryActor, text: string, file: string, ctx: AuditContext = {}): Promise<{ imported: number; rows: number; problems: RowProblem[] }> {
    await this.#mayAdminister(a, 'postcodes.import', ctx);
    const { centroids, problems, rows } = parseCentroids(text, file);
    await this.#repo.importCentroids(centroids, this.#now());
    await this.#audit.record({ actor: this.#actor(a), action: 'directory.postcodes.import', outcome: 'success', subjectType: 'directory', details: { file, rows, imported: centroids.length, refused: problems.length }, context: ctx });
    return { imported: centroids.length, rows, problems };
  }

  /**
   * Imports a centroid file of any size (the whole ONSPD is about 2.7 million rows) read as a
   * stream, 10,000 postcodes a transaction: what was read is kept if the file breaks off. Refused
   * rows are counted; the first 1,000 are returned with row and column.
   */
  async importCentroidFile(a: DirectoryActor, filePath: string, ctx: AuditContext = {}): Promise<{ imported: number; rows: number; refused: number; problems: RowProblem[] }> {
    await this.#mayAdminister(a, 'postcodes.import', ctx);
    const { readCsvFile } = await import('../linkage/csv.ts');
    const { basename } = await import('node:path');
    const file = basename(filePath);
    const problems: RowProblem[] = [];
    let cols: CentroidColumns | null = null;
    let batch: Centroid[] = [];
    let rows = 0;
    let imported = 0;
    let refused = 0;
    const now = this.#now();
    const flush = async () => {
      if (!batch.length) return;
      await this.#repo.importCentroids([...new Map(batch.map((c) => [c.pcds, c])).values()], now);
      imported += batch.length;
      batch = [];
    };
    try {
      for await (const r of readCsvFile(filePath, { trimFields: false })) {
        if (!cols) {
          const header = centroidColumns(r.fields, file);
          if (isRowProblem(header)) {
            problems.push(header);
            refused++;
            break;
          }
          cols = header;
          continue;
        }
        if (r.fields.length === 1 && r.fields[0]!.trim() === '') continue;
        rows++;
        const c = centroidFrom(r.fields, cols, r.row, file);
        if (isRowProblem(c)) {
          refused++;
          if (problems.length < 1000) problems.push(c);
        } else {
          batch.push(c);
          if (batch.length >= 10_000) await flush();
        }
      }
      await flush();
    } finally {
      await this.#audit.record({ actor: this.#actor(a), action: 'directory.postcodes.import', outcome: 'success', subjectType: 'directory', details: { file, rows, imported, refused }, context: ctx });
    }
    return { imported, rows, refused, problems };
  }

  async centroidCount(): Promise<number> {
    return this.#repo.centroidCount();
  }

  // ---------- referrals ----------

  /**
   * Refers a person to a service whose provider takes referrals in Team Around. The family's
   * answer is recorded as a consent (ConsentService: through the gate, audited) for the purpose
   * `service_referral`, to the provider, for the details chosen. A refusal is recorded and nothing
   * is sent (not sharing is a decision too). With consent, the share passes `decide()` (action
   * `share`) and is audited; the provider's staff are notified.
   */
  async refer(p: Principal, serviceId: string, input: unknown, ctx: AuditContext): Promise<{ outcome: 'referred' | 'refused'; referralId: string | null; consentId: string }> {
    const s = await this.#repo.service(serviceId);
    if (!s) throw new NotFoundError('No such service');
    const may = mayRefer(requesterOf(p), s);
    if (!may.allow) await this.#deny(actorOf(p), 'referral.create', may.reason, ctx, serviceId);
    const v = parse(referralSchema, input);
    const categories = [...new Set(v.categories)];
    const share = { action: 'share' as const, subjectId: v.subjectId, categories, purpose: 'service_referral', reason: v.reason, auditAction: 'directory.referral.create', details: { serviceId, to: s.ownerOrganisationId } };
    // Whether this practitioner may pass these details on at all, before anything is recorded: a
    // refusal is audited by the gate and nothing else happens.
    const pre = (await this.#gate.decideMany(p, [v.subjectId], share)).get(v.subjectId);
    if (!pre?.decision.allow) await this.#gate.check(p, share, ctx);
    // The family's answer: consent passes the gate on the person (update consent) and is audited.
    const consent = await this.#consents.record(
      p,
      v.subjectId,
      {
        decision: v.consent,
        givenBy: v.givenBy,
        givenByName: v.givenByName,
        capacityAssessment: v.capacityAssessment,
        capacityOutcome: 'capable',
        purposes: ['service_referral'],
        recipientOrganisationIds: [s.ownerOrganisationId],
        categories,
        method: v.method,
        notes: `Referral to ${s.name}`,
      },
      ctx,
    );
    if (v.consent === 'refused') {
      await this.#audit.record({
        actor: actorOf(p),
        action: 'directory.referral.not-made',
        outcome: 'success',
        subjectType: 'person',
        subjectId: v.subjectId,
        purpose: 'service_referral',
        reason: 'The family did not agree to the referral',
        details: { serviceId, consentId: consent.id, to: s.ownerOrganisationId },
        context: ctx,
      });
      return { outcome: 'refused', referralId: null, consentId: consent.id };
    }
    await this.#gate.check(p, { ...share, details: { ...share.details, consentId: consent.id } }, ctx);
    const id = newId();
    const now = this.#now();
    const staff = await this.#repo.ownerStaff(s.ownerOrganisationId);
    await this.#repo.insertReferral(
      { subjectId: v.subjectId, id, serviceId, toOrganisationId: s.ownerOrganisationId, fromOrganisationId: p.organisationId, referredBy: p.userId, consentId: consent.id, reason: v.reason, categories, createdAt: now },
      staff.map((u) => ({ id: newId(), recipientUserId: u, message: `${p.organisationName} referred someone to ${s.name}`, link: `/directory/referrals/${v.subjectId}/${id}` })),
    );
    return { outcome: 'referred', referralId: id, consentId: consent.id };
  }

  /**
   * The people a practitioner may refer: those they or their teams work with, each passing the
   * policy (action share, identity); one audit entry names everyone shown (like a search).
   */
  async referCandidates(p: Principal, ctx: AuditContext): Promise<Array<{ subjectId: string; name: string; dateOfBirth: string | null }>> {
    const ids = await this.#repo.caseload(p.userId, p.teamIds);
    const decisions = await this.#gate.decideMany(p, ids, { action: 'share', categories: ['identity'], purpose: 'service_referral' });
    const allowed = ids.filter((id) => decisions.get(id)?.decision.allow && decisions.get(id)?.decision.allowed.includes('identity'));
    const names = await this.#repo.namesOf(allowed);
    await this.#audit.record({ actor: actorOf(p), action: 'directory.referral.candidates', outcome: 'success', subjectType: 'practitioner', subjectId: p.userId, purpose: 'service_referral', details: { shown: allowed, considered: ids.length }, context: ctx });
    return allowed.map((id) => ({ subjectId: id, ...names.get(id)! })).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Referrals sent by or to the caller's organisation (who, without the person's name: that is read through the gate). */
  async referrals(p: Principal): Promise<{ sent: ServiceReferral[]; received: ServiceReferral[] }> {
    const [sent, received] = await Promise.all([this.#repo.referrals({ fromOrganisationId: p.organisationId }), this.#repo.referrals({ toOrganisationId: p.organisationId })]);
    return { sent, received };
  }

  /**
   * One referral, with the person's name and date of birth read through the gate (the provider has
   * the family's consent; the read is audited on the person).
   */
  async referral(p: Principal, subjectId: string, id: string, ctx: AuditContext): Promise<{ referral: ServiceReferral; name: string; dateOfBirth: string | null }> {
    if (!z.uuid().safeParse(subjectId).success || !z.uuid().safeParse(id).success) throw new NotFoundError('No such referral');
    const [r] = await this.#repo.referrals({ subjectId, id });
    if (!r) throw new NotFoundError('No such referral');
    const d = maySeeReferral(requesterOf(p), r);
    if (!d.allow) await this.#deny(actorOf(p), 'referral.read', d.reason, ctx, id);
    await this.#gate.check(p, { action: 'read', subjectId, categories: ['identity'], purpose: 'service_referral', reason: `Responding to a referral to ${r.serviceName}`, auditAction: 'directory.referral.read', details: { referralId: id } }, ctx);
    const person = await this.#people.findPerson(subjectId);
    if (!person) throw new NotFoundError('No such person');
    const n = person.names.find((x) => x.kind === 'current') ?? person.names[0];
    return { referral: r, name: n ? `${n.givenNames} ${n.familyName}` : 'Name not recorded', dateOfBirth: person.dateOfBirth };
  }
}

// ---------- the demo partnership's directory ----------

interface DemoDirectoryService {
  owner: string;
  name: string;
  description: string;
  terms: string[];
  min: number | null;
  max: number | null;
  eligibility: string;
  howToRefer: string;
  takesReferrals: boolean;
  fees: string;
  contact: { name: string; title: string; email: string; phone: string };
  place: { name: string; line1: string; postcode: string } | null;
  schedule: { byday: string; opens: string; closes: string; description: string };
  checkedDaysAgo: number;
  language?: string;
}

const DEMO_TERMS: Array<[key: string, name: string, description: string]> = [
  ['parenting', 'Parenting support', 'Help and advice for parents and carers'],
  ['early_years', 'Early years and childcare', 'Play, learning and childcare for children under five'],
  ['health', 'Health and wellbeing', 'Health services, clinics and emotional wellbeing'],
  ['money', 'Money, housing and benefits', 'Advice about money, debt, benefits and housing'],
  ['domestic_abuse', 'Domestic abuse support', 'Safety and support for people affected by domestic abuse'],
  ['young_people', 'Activities for young people', 'Clubs, activities and support for young people'],
  ['send', 'Special educational needs and disabilities', 'Information and support for children and young people with SEND'],
];

const DEMO_DIRECTORY: DemoDirectoryService[] = [
  {
    owner: 'vcs', name: 'Family Support at Home', terms: ['parenting'], min: 0, max: 18, takesReferrals: true, fees: 'Free', checkedDaysAgo: 20,
    description: 'A family support worker visits you at home to help with routines, behaviour, school and getting on together as a family.',
    eligibility: 'Families in Northbridge with a child under 18 who would like help. The family must agree to the referral.',
    howToRefer: 'Practitioners refer through Team Around with the family\'s agreement. Families can also call us and ask for a visit.',
    contact: { name: 'Beth Nolan', title: 'Family support worker', email: 'workers@familysupport.northbridge.example', phone: '01632 960 900' },
    place: { name: 'Northbridge Family Hub', line1: '12 Mill Street', postcode: 'NB3 2BD' },
    schedule: { byday: 'MO,TU,WE,TH,FR', opens: '09:00', closes: '17:00', description: 'Monday to Friday, 9am to 5pm' },
  },
  {
    owner: 'nhs', name: 'Baby Clinic', terms: ['health', 'early_years'], min: 0, max: 5, takesReferrals: false, fees: 'Free', checkedDaysAgo: 45,
    description: 'Drop in to have your baby weighed and talk to a health visitor about feeding, sleep and development.',
    eligibility: 'Parents and carers of children under 5 living in Northbridge.',
    howToRefer: 'No referral needed: just come along. Health visitors can also book a home visit.',
    contact: { name: 'Health Visiting North', title: 'Health visiting team', email: 'hv.north@nhs.northbridge.example', phone: '01632 960 300' },
    place: { name: 'Riverside Health Centre', line1: '3 Riverside Walk', postcode: 'NB1 2AB' },
    schedule: { byday: 'TU', opens: '09:30', closes: '11:30', description: 'Tuesdays, 9:30am to 11:30am' },
  },
  {
    owner: 'csc', name: 'Stay and Play', terms: ['early_years', 'parenting'], min: 0, max: 4, takesReferrals: false, fees: 'Free', checkedDaysAgo: 130,
    description: 'Play sessions for babies and young children with their parents or carers. Meet other families and get advice.',
    eligibility: 'Children under 5 with a parent or carer.',
    howToRefer: 'No referral needed. Sessions are free and you do not need to book.',
    contact: { name: 'Early Help Locality North', title: 'Children\'s centre team', email: 'earlyhelp.north@csc.northbridge.example', phone: '01632 960 120' },
    place: { name: 'Hollin Lane Children\'s Centre', line1: '1 Hollin Lane', postcode: 'NB5 1AW' },
    schedule: { byday: 'WE,FR', opens: '10:00', closes: '11:30', description: 'Wednesdays and Fridays, 10am to 11:30am' },
  },
  {
    owner: 'yjs', name: 'Friday Youth Club', terms: ['young_people'], min: 11, max: 19, takesReferrals: true, fees: 'Free', checkedDaysAgo: 60,
    description: 'Sport, music, cooking and a safe place to be with friends on Friday evenings. Youth workers are there to talk to.',
    eligibility: 'Young people aged 11 to 19 (up to 25 with special educational needs).',
    howToRefer: 'Young people can just turn up. Practitioners can refer through Team Around for a youth worker to meet the young person first.',
    contact: { name: 'Youth Justice Team', title: 'Youth work', email: 'yjs@yjs.northbridge.example', phone: '01632 960 800' },
    place: { name: 'Westgate Community Hall', line1: '40 Westgate', postcode: 'NB7 2HL' },
    schedule: { byday: 'FR', opens: '18:00', closes: '21:00', description: 'Fridays, 6pm to 9pm' },
  },
  {
    owner: 'vcs', name: 'Domestic Abuse Helpline and Outreach', terms: ['domestic_abuse'], min: 16, max: null, takesReferrals: true, fees: 'Free', checkedDaysAgo: 10,
    description: 'Confidential support for anyone affected by domestic abuse: safety planning, support to stay safe at home or to leave, and help with the courts.',
    eligibility: 'Anyone aged 16 or over affected by domestic abuse in Northbridge.',
    howToRefer: 'Call the helpline. Practitioners refer through Team Around with the person\'s agreement, only when it is safe to contact them.',
    contact: { name: 'Domestic Abuse Outreach', title: 'Outreach team', email: 'outreach@familysupport.northbridge.example', phone: '01632 960 910' },
    place: null,
    schedule: { byday: 'MO,TU,WE,TH,FR,SA,SU', opens: '08:00', closes: '20:00', description: 'Every day, 8am to 8pm' },
  },
  {
    owner: 'housing', name: 'Money and Rent Advice', terms: ['money'], min: 18, max: null, takesReferrals: false, fees: 'Free', checkedDaysAgo: 80,
    description: 'Help with rent arrears, debts, benefits and budgeting. Bring any letters you have.',
    eligibility: 'Adults living in Northbridge. You do not need to be a Northbridge Homes tenant.',
    howToRefer: 'Drop in, or call to book an appointment.',
    contact: { name: 'Tenancy Support', title: 'Money advice', email: 'tenancy@homes.northbridge.example', phone: '01632 960 600' },
    place: { name: 'Northbridge Homes Office', line1: '9 Castle Road', postcode: 'NB9 8JN' },
    schedule: { byday: 'MO,WE', opens: '10:00', closes: '15:00', description: 'Mondays and Wednesdays, 10am to 3pm' },
    language: 'Polish',
  },
  {
    owner: 'csc', name: 'SEND Information and Advice', terms: ['send', 'parenting'], min: 0, max: 25, takesReferrals: false, fees: 'Free', checkedDaysAgo: 30,
    description: 'Impartial information and advice about special educational needs and disabilities, EHC plans and support in school.',
    eligibility: 'Children and young people up to 25 with special educational needs or disabilities, and their families.',
    howToRefer: 'Call or email us. No referral needed.',
    contact: { name: 'SEND information service', title: 'Advisers', email: 'send@csc.northbridge.example', phone: '01632 960 140' },
    place: { name: 'Northbridge Town Hall', line1: '1 Market Square', postcode: 'NB1 1AA' },
    schedule: { byday: 'MO,TU,WE,TH', opens: '09:00', closes: '16:00', description: 'Monday to Thursday, 9am to 4pm' },
  },
];

export const DEMO_POSTCODE_FILE = 'data/onspd-sample-northbridge.csv';

/**
 * The demo partnership's directory: the invented Northbridge postcode centroids (data/), a small
 * taxonomy and a handful of invented services run by the demo organisations, published; one is out
 * of date so the stale report has something to show.
 */
export async function loadDirectoryDemo(repo: DirectoryRepository, now: Date, orgIds: ReadonlyMap<string, string>): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { projectRoot } = await import('../paths.ts');
  const { centroids } = parseCentroids(readFileSync(join(projectRoot, DEMO_POSTCODE_FILE), 'utf8'), DEMO_POSTCODE_FILE);
  await repo.importCentroids(centroids, now);
  const where = new Map(centroids.map((c) => [c.pcds, c]));
  const { emptyDirectoryData } = await import('../directory/model.ts');
  const taxonomyId = newId();
  const terms = new Map(DEMO_TERMS.map(([key, name, description]) => [key, { id: newId(), taxonomyId, parentId: null, code: key, name, description, termUri: null }]));
  const base = emptyDirectoryData();
  base.taxonomies.push({ id: taxonomyId, name: 'Northbridge family services', description: 'Categories used by the Northbridge family services directory', uri: null, version: '1' });
  base.terms.push(...terms.values());
  await repo.importData(base, orgIds.get('csc')!, now);
  for (const d of DEMO_DIRECTORY) {
    const owner = orgIds.get(d.owner)!;
    const data = emptyDirectoryData();
    const organizationId = await repo.organizationFor({ id: owner, name: DEMO_OWNER_NAMES[d.owner] ?? d.owner }, now, newId());
    const serviceId = newId();
    const checked = isoDay(new Date(now.getTime() - d.checkedDaysAgo * DAY));
    data.services.push({
      id: serviceId, organizationId, name: d.name, description: d.description, url: null, email: d.contact.email, phone: d.contact.phone, status: 'active', fees: d.fees,
      accreditations: null, minimumAge: d.min, maximumAge: d.max, eligibilityDescription: d.eligibility, applicationProcess: d.howToRefer, takesReferrals: d.takesReferrals,
      alert: null, assuredDate: checked, assurerEmail: null, lastCheckedOn: checked, lastModified: new Date(now.getTime() - d.checkedDaysAgo * DAY),
    });
    for (const t of d.terms) data.attributes.push({ id: newId(), serviceId, termId: terms.get(t)!.id });
    data.contacts.push({ id: newId(), serviceId, ...d.contact });
    data.schedules.push({ id: newId(), serviceId, freq: 'WEEKLY', byday: d.schedule.byday, opensAt: d.schedule.opens, closesAt: d.schedule.closes, description: d.schedule.description, validFrom: null, validTo: null });
    data.costOptions.push({ id: newId(), serviceId, option: 'Each session or visit', amount: 0, amountDescription: null });
    data.languages.push({ id: newId(), serviceId, name: 'English', code: 'en' });
    if (d.language) data.languages.push({ id: newId(), serviceId, name: d.language, code: d.language === 'Polish' ? 'pl' : null });
    data.serviceAreas.push({ id: newId(), serviceId, name: 'Northbridge', description: 'The whole of Northbridge' });
    const locationId = newId();
    const c = d.place ? where.get(d.place.postcode) : undefined;
    data.locations.push({
      id: locationId, organizationId, locationType: d.place ? 'physical' : 'virtual', name: d.place?.name ?? 'By telephone', description: null,
      latitude: c?.latitude ?? null, longitude: c?.longitude ?? null, addressId: d.place ? newId() : null, address1: d.place?.line1 ?? null, address2: null,
      city: d.place ? 'Northbridge' : null, stateProvince: null, postalCode: d.place?.postcode ?? null, country: d.place ? 'GB' : null,
    });
    if (d.place) data.accessibility.push({ id: newId(), locationId, description: 'Step-free entrance and an accessible toilet', details: null, url: null });
    data.serviceAtLocations.push({ id: newId(), serviceId, locationId });
    await repo.importData(data, owner, now);
  }
}

const DEMO_OWNER_NAMES: Record<string, string> = {
  csc: 'Northbridge Children\'s Services',
  nhs: 'Northbridge Community Health NHS Trust',
  vcs: 'Northbridge Family Support Trust',
  yjs: 'Northbridge Youth Justice Service',
  housing: 'Northbridge Homes',
};
