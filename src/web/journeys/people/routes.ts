import crypto from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { z } from 'zod';
import { AccessDeniedError } from '../../../policy/policy-gate.ts';
import type { Services } from '../../../services/index.ts';
import {
  breakGlassSchema,
  createPersonSchema,
  endInvolvementSchema,
  HouseholdMemberRefusedError,
  householdMemberSchema,
  householdSchema,
  involvementSchema,
  leaveHouseholdSchema,
  LikelyMatchesError,
  relationshipSchema,
  searchSchema,
  type HouseholdMemberView,
  type HouseholdView,
  type PersonView,
} from '../../../services/person-service.ts';
import { hasRole, ValidationError, type Principal } from '../../../services/principal.ts';
import { treeRelation, treeSex } from '../../../family-summary/tree.ts';
import { renderFamilyTree, type TreePerson, type TreeRelation } from '../../family-tree.ts';
import { field, formErrors, isValidationError, type FormErrors } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { requireSignedIn } from '../../setup/authentication.ts';
import { urls } from '../../urls.ts';
import { auditActionLabel, bornText, escapeHtml, fmt } from './format.ts';
import {
  addressInput,
  chosenMembers,
  createPersonInput,
  datePartsFrom,
  datePartsOf,
  endInvolvementInput,
  FormProblems,
  householdInput,
  householdMemberInput,
  identifierInput,
  involvementInput,
  leaveHouseholdInput,
  nameInput,
  PERSON_FIELDS,
  PERSON_FORM_NAMES,
  personFormValuesFrom,
  relationshipInput,
  searchValuesFrom,
  searchWasSent,
} from './validation.ts';
import { viewsPerDayChart } from './views-chart.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_FIELDS = new Set(['dateOfBirth', 'startDate', 'endDate', 'fromDate', 'toDate']);
const PRACTITIONER_ROLES = ['practitioner', 'mash_officer', 'team_manager'] as const;
/**
 * Bases that let a practitioner change names, addresses, identifiers and family (the policy
 * decides; this only chooses which links to offer). The organisation's own involvement opens
 * only its involvements, which are ended from the "Who is involved" table.
 */
const CHANGE_BASES = new Set(['relationship', 'mash-enquiry']);
const RECORD_BASES = new Set(['relationship', 'mash-enquiry', 'break-glass']);

const SEARCH_FIELDS = ['name', 'dateOfBirth', 'postcode', 'identifier', 'reason'];
const INVOLVEMENT_FIELDS = ['role', 'serviceId', 'teamId', 'practitionerId', 'startDate', 'earlyHelpAssessment', 'consentToShow'];
const RELATIONSHIP_FIELDS = ['relatedSubjectId', 'type', 'fromDate'];
const HOUSEHOLD_FIELDS = ['label', 'address', 'memberSubjectIds', 'fromDate'];
const HOUSEHOLD_MEMBER_FIELDS = ['memberSubjectId', 'fromDate'];

/** A refusal about one member of a household, shown on the form as an error on the field concerned. */
function refusalAsError(err: unknown): ValidationError | undefined {
  if (err instanceof HouseholdMemberRefusedError) return new ValidationError({ [err.field]: err.decision.reason });
  return isValidationError(err) ? err : undefined;
}

/** Field errors about one of several chosen people (memberSubjectIds.2) belong to the checkboxes as a whole. */
function onCheckboxes(err: ValidationError): ValidationError {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(err.fields)) fields[k.replace(/^memberSubjectIds\.\d+$/, 'memberSubjectIds')] ??= v;
  return new ValidationError(fields);
}

const isHousemate = (m: HouseholdView['members'][number]): m is HouseholdMemberView => !m.withheld;

/** Service field names that differ from the form's. */
const PERSON_FIELD_IDS: Record<string, string> = {
  'address.line1': 'addressLine1',
  'address.line2': 'addressLine2',
  'address.town': 'addressTown',
  'address.postcode': 'addressPostcode',
  address: 'addressLine1',
};

const isPractitioner = (p: Principal) => hasRole(p, ...PRACTITIONER_ROLES);

/**
 * GOV.UK errors for a form: the service's (or the form's own) field errors, with date fields
 * linked to the part of the date input at fault and service names mapped to the form's ids.
 */
function errorsFor(err: ValidationError, order: string[], problems?: FormProblems, ids: Record<string, string> = {}): FormErrors & { errorParts: Record<string, string> } {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(err.fields)) fields[ids[k] ?? k] ??= v;
  const mappedOrder = order.map((k) => ids[k] ?? k);
  const out = formErrors(new ValidationError(fields), mappedOrder);
  const errorParts: Record<string, string> = {};
  for (const k of Object.keys(fields)) {
    if (!DATE_FIELDS.has(k)) continue;
    const part = problems?.dateParts[k] ?? 'day';
    errorParts[k] = part;
  }
  out.errorList = out.errorList.map((e) => {
    const key = e.href?.slice(1);
    return key && DATE_FIELDS.has(key) ? { ...e, href: `#${key}-${errorParts[key]}` } : e;
  });
  return { ...out, errorParts };
}

/**
 * When the form itself found a problem (a date that is not real), nothing is sent to the
 * service; the service's rules are still run over the rest so every problem shows at once.
 * Dates at fault are replaced by a valid stand-in so they do not also fail as "missing".
 */
function formFailure(problems: FormProblems, schema: z.ZodType | undefined, input: Record<string, unknown>): ValidationError {
  const fields: Record<string, string> = {};
  if (schema) {
    const standIn = { ...input };
    for (const k of Object.keys(problems.fields)) if (k in standIn) standIn[k] = '2000-01-01';
    const r = schema.safeParse(standIn);
    if (!r.success) for (const issue of r.error.issues) fields[issue.path.length ? issue.path.map(String).join('.') : 'form'] ??= issue.message;
  }
  return new ValidationError({ ...fields, ...problems.fields });
}

function currentName(identity: PersonView['identity']): string {
  const n = identity?.names.find((x) => x.kind === 'current') ?? identity?.names[0];
  return n ? `${n.givenNames} ${n.familyName}` : 'This person';
}

function familyTree(view: PersonView, name: string) {
  if (!view.identity) return undefined;
  const today = new Date().toISOString().slice(0, 10);
  const current = (view.relationships ?? []).filter((r) => !r.toDate || r.toDate > today);
  // Everyone the policy shows living with them now, in any current household, is drawn as their household.
  const housemates = (view.households ?? [])
    .filter((h) => h.current)
    .flatMap((h) => h.members.filter(isHousemate))
    .filter((m) => m.current && m.subjectId !== view.subjectId);
  if (current.length === 0 && housemates.length === 0) return undefined;
  const identity = view.identity as PersonView['identity'] & { sex?: string; deceased?: boolean; shielded?: boolean };
  const people = new Map<string, TreePerson>();
  people.set(view.subjectId, {
    id: view.subjectId,
    name,
    sex: treeSex(identity.sex),
    born: bornText(identity.dateOfBirth, identity.dobPrecision),
    deceased: Boolean(identity.deceased),
    unborn: identity.dobPrecision === 'expected',
    shielded: Boolean(identity.shielded),
    isSubject: true,
  });
  const relations: TreeRelation[] = [];
  for (const r of current) {
    if (!people.has(r.relatedSubjectId)) {
      people.set(r.relatedSubjectId, {
        id: r.relatedSubjectId,
        name: `${r.related.givenNames} ${r.related.familyName}`,
        sex: treeSex(r.related.sex),
        born: bornText(r.related.dateOfBirth, r.related.dobPrecision),
        deceased: r.related.deceased,
        unborn: r.related.dobPrecision === 'expected',
        shielded: r.related.shielded,
        href: urls.people.person(r.relatedSubjectId),
      });
    }
    const rel = treeRelation(view.subjectId, r.relatedSubjectId, r.type);
    if (rel) relations.push(rel);
  }
  for (const m of housemates) {
    if (!people.has(m.subjectId)) {
      people.set(m.subjectId, {
        id: m.subjectId,
        name: `${m.givenNames} ${m.familyName}`,
        sex: treeSex(m.sex),
        born: bornText(m.dateOfBirth, m.dobPrecision),
        deceased: m.deceased,
        unborn: m.dobPrecision === 'expected',
        shielded: m.shielded,
        href: urls.people.person(m.subjectId),
      });
    }
    if (!relations.some((r) => r.type === 'household_member' && [r.from, r.to].includes(m.subjectId) && [r.from, r.to].includes(view.subjectId))) {
      relations.push({ from: view.subjectId, to: m.subjectId, type: 'household_member' });
    }
  }
  return renderFamilyTree({ people: [...people.values()], relations, subjectId: view.subjectId, title: `Family tree of ${name}` });
}

/** When someone lived in a household, in words: "From 3 May 2021 to 1 June 2024; from 2 March 2025, lives here now". */
function periodsText(periods: HouseholdView['periods'], current: boolean): string {
  const text = periods
    .map((pd) => {
      const from = pd.fromDate ? `from ${fmt.date(pd.fromDate)}` : 'start date not recorded';
      const to = pd.toDate ? ` to ${fmt.date(pd.toDate)}` : current ? ', lives here now' : '';
      return from + to;
    })
    .join('; ');
  return fmt.capitalise(text);
}

const withheldHtml = (reason: string) => `<span class="ta-withheld"><strong>Withheld:</strong> ${escapeHtml(reason)}</span>`;

/**
 * A household as a GOV.UK summary card: its address (or why it is withheld), each member with
 * when they lived there, and each withheld member as withheld. `changeable` adds the actions.
 */
function householdCard(subjectId: string, h: HouseholdView, changeable: boolean) {
  const a = h.address;
  const addressText = a ? [a.line1, a.line2, a.town, a.postcode].filter(Boolean).join(', ') : '';
  const title = h.label ?? (addressText || 'Household');
  const rows: Array<Record<string, unknown>> = [
    {
      key: { text: 'Address' },
      value: a ? { text: addressText } : h.addressWithheld ? { html: withheldHtml(h.addressWithheld) } : { text: 'No address recorded for the household' },
    },
  ];
  for (const m of h.members) {
    if (m.withheld) {
      rows.push({ key: { text: 'Someone else' }, value: { html: withheldHtml(m.reason) } });
      continue;
    }
    const who = `${m.givenNames} ${m.familyName}`;
    rows.push({
      key: { html: m.subjectId === subjectId ? escapeHtml(who) : `<a class="govuk-link" href="${escapeHtml(urls.people.person(m.subjectId))}">${escapeHtml(who)}</a>` },
      value: { html: `${escapeHtml(fmt.dob(m.dateOfBirth, m.dobPrecision))}<br>${escapeHtml(periodsText(m.periods, m.current))}${m.deceased ? ' (deceased)' : ''}` },
      ...(changeable && m.current
        ? { actions: { items: [{ href: urls.people.leaveHousehold(subjectId, h.id, m.subjectId), text: 'Record that they left', visuallyHiddenText: `(${who})` }] } }
        : {}),
    });
  }
  return {
    card: {
      title: { text: title, headingLevel: 4 },
      // GOV.UK adds the card's title to the hidden text: "Add someone to the household (12 Mill Lane …)".
      ...(changeable ? { actions: { items: [{ href: urls.people.newHouseholdMember(subjectId, h.id), text: 'Add someone', visuallyHiddenText: 'to the household' }] } } : {}),
    },
    rows,
  };
}

/** The pages about people: find, add, see, and record who is involved, family, names, addresses and identifiers. */
export function peopleRoutes(services: Services): Router {
  const router = Router();
  const { people } = services;

  router.use('/people', requireSignedIn, (_req, res, next) => {
    res.locals.fmt = fmt;
    next();
  });
  router.param('id', (_req, res, next, id: string) => {
    if (UUID.test(id)) return next();
    res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
  });
  for (const param of ['iid', 'hid', 'mid']) {
    router.param(param, (_req, res, next, id: string) => {
      if (UUID.test(id)) return next();
      res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    });
  }

  /**
   * The person as far as this practitioner may see them, or null when they may not. The policy
   * is asked first without reading anything (decideMany does not audit), so that a form page
   * open to anyone in a practitioner role, such as recording an involvement, does not fill the
   * record's access history with refusals nobody asked for.
   */
  const tryView = async (req: Request, id: string, purpose: string): Promise<PersonView | null> => {
    const p = req.principal!;
    const decision = (await people.gate.decideMany(p, [id], { action: 'read', categories: ['identity'], purpose })).get(id)?.decision;
    if (!decision?.allow) return null;
    try {
      return await people.view(req.principal!, id, auditContext(req), { purpose });
    } catch (err) {
      if (err instanceof AccessDeniedError) return null;
      throw err;
    }
  };

  // ----- find a person -----

  router.get(urls.people.search(), async (req, res) => {
    const values = searchValuesFrom(req.query);
    const page = { pageTitle: 'Find a person', values, canAdd: isPractitioner(req.principal!) };
    if (!searchWasSent(req.query)) return res.render('people/search.njk', page);
    const problems = new FormProblems();
    const input = {
      name: values.name,
      dateOfBirth: problems.date('dateOfBirth', values.dob, 'Date of birth'),
      postcode: values.postcode,
      identifier: values.identifier,
      reason: values.reason,
    };
    try {
      if (problems.any) throw formFailure(problems, searchSchema, input);
      const results = await people.search(req.principal!, input, auditContext(req));
      res.render('people/search.njk', { ...page, results, searched: true, reason: values.reason.trim() });
    } catch (err) {
      if (!isValidationError(err)) throw err;
      res.status(400).render('people/search.njk', { ...page, ...errorsFor(err, SEARCH_FIELDS, problems) });
    }
  });

  // ----- add a person -----

  router.get(urls.people.new(), (req, res) => {
    res.render('people/new.njk', { pageTitle: 'Add a person', values: { requestKey: crypto.randomUUID(), dobPrecision: 'exact' } });
  });

  router.post(urls.people.new(), async (req, res) => {
    const values = personFormValuesFrom(req.body);
    const choice = field(req.body, 'match');
    if (choice && choice !== 'new' && UUID.test(choice)) return res.redirect(urls.people.person(choice));
    if (!UUID.test(values.requestKey)) values.requestKey = crypto.randomUUID();
    const problems = new FormProblems();
    const input = createPersonInput(values, problems);
    try {
      if (problems.any) throw formFailure(problems, createPersonSchema, input);
      const { subjectId, repeated } = await people.create(req.principal!, input, auditContext(req), {
        confirmNotDuplicate: choice === 'new',
        requestKey: values.requestKey,
      });
      const name = escapeHtml(`${values.givenNames.trim()} ${values.familyName.trim()}`);
      req.session.flash = repeated
        ? `${name} was already recorded from this form`
        : `${name} was recorded. Now record how your organisation is involved with them.`;
      res.redirect(urls.people.newInvolvement(subjectId));
    } catch (err) {
      if (err instanceof LikelyMatchesError) {
        const shownBefore = field(req.body, 'matchesShown') === 'yes';
        const errors = shownBefore ? formErrors(new ValidationError({ match: 'Select the person you meant, or "None of these"' }), ['match']) : {};
        return res.status(shownBefore ? 400 : 200).render('people/likely-matches.njk', {
          pageTitle: 'Check this is not someone already recorded',
          matches: err.matches,
          hidden: PERSON_FORM_NAMES.map((n) => ({ name: n, value: values[n] })),
          values,
          ...errors,
        });
      }
      if (!isValidationError(err)) throw err;
      res.status(400).render('people/new.njk', { pageTitle: 'Add a person', values, ...errorsFor(err, PERSON_FIELDS, problems, PERSON_FIELD_IDS) });
    }
  });

  // ----- the person -----

  router.get('/people/:id', async (req, res) => {
    const p = req.principal!;
    const reason = field(req.query, 'reason').trim() || undefined;
    const view = await people.view(p, req.params.id, auditContext(req), { reason });
    // Who is involved as agencies' own systems record it: its own read through the gate, audited.
    const agency =
      view.allowed.includes('involvements') || view.allowed.includes('contacts') ? await services.linking.agencyInvolvements(p, view.subjectId, auditContext(req), { reason }) : null;
    const name = currentName(view.identity);
    const today = new Date().toISOString().slice(0, 10);
    const involvements = view.involvements?.map((i) => ({
      ...i,
      active: i.endDate === null || i.endDate > today,
      mine: i.organisationId === p.organisationId && (i.endDate === null || i.endDate > today),
    }));
    const leadProfessional = Boolean(view.involvements?.some((i) => i.role === 'lead_professional' && i.practitionerId === p.userId && (i.endDate === null || i.endDate > today)));
    const hasRecordBasis = RECORD_BASES.has(view.basis);
    res.render('people/person.njk', {
      pageTitle: name,
      name,
      view,
      reason,
      identity: view.identity,
      otherNames: view.identity?.names.filter((n) => n.kind !== 'current') ?? [],
      currentAddresses: view.addresses?.filter((a) => !a.toDate || a.toDate > today) ?? [],
      previousAddresses: view.addresses?.filter((a) => a.toDate && a.toDate <= today) ?? [],
      currentHouseholds: view.households?.filter((h) => h.current).map((h) => householdCard(view.subjectId, h, CHANGE_BASES.has(view.basis))) ?? [],
      previousHouseholds: view.households?.filter((h) => !h.current).map((h) => householdCard(view.subjectId, h, false)) ?? [],
      currentInvolvements: involvements?.filter((i) => i.active),
      pastInvolvements: involvements?.filter((i) => !i.active),
      agency,
      withheld: Object.fromEntries(view.withheld.map((w) => [w.category, w.reason])),
      tree: familyTree(view, name),
      canChange: CHANGE_BASES.has(view.basis),
      canAddInvolvement: isPractitioner(p),
      canSeeHistory: hasRole(p, 'ig_lead') || leadProfessional,
      canBreakGlass: isPractitioner(p) && !hasRecordBasis && !view.activeBreakGlass,
    });
  });

  // ----- involvements -----

  const involvementPage = async (req: Request, res: Response, view: { values: Record<string, unknown>; status?: number } & Partial<FormErrors> & { errorParts?: object }) => {
    const id = req.params.id as string;
    const [person, ref] = await Promise.all([tryView(req, id, 'record an involvement'), people.referenceData(req.principal!)]);
    res.status(view.status ?? 200).render('people/involvement-new.njk', {
      pageTitle: 'Record that your organisation is involved',
      subjectId: id,
      name: person ? currentName(person.identity) : undefined,
      ref,
      sensitiveServices: ref.services.filter((s) => s.sensitiveKind),
      ...view,
    });
  };

  router.get('/people/:id/involvements/new', async (req, res) => {
    await involvementPage(req, res, { values: { startDate: datePartsOf(new Date().toISOString().slice(0, 10)), practitionerId: req.principal!.userId } });
  });

  router.post('/people/:id/involvements/new', async (req, res) => {
    const problems = new FormProblems();
    const input = involvementInput(req.body, problems);
    const values = { ...req.body, startDate: datePartsFrom(req.body, 'startDate') };
    try {
      if (problems.any) throw formFailure(problems, involvementSchema, input);
      await people.addInvolvement(req.principal!, req.params.id as string, input, auditContext(req));
      req.session.flash = 'Your organisation’s involvement was recorded';
      res.redirect(urls.people.person(req.params.id as string));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await involvementPage(req, res, { values, status: 400, ...errorsFor(err, INVOLVEMENT_FIELDS, problems) });
    }
  });

  const endInvolvementPage = async (req: Request, res: Response, view: { values: Record<string, unknown>; status?: number } & Partial<FormErrors> & { errorParts?: object }) => {
    const id = req.params.id as string;
    const person = await people.view(req.principal!, id, auditContext(req), { purpose: 'end an involvement' });
    const involvement = person.involvements?.find((i) => i.id === req.params.iid);
    if (!involvement) return res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    res.status(view.status ?? 200).render('people/involvement-end.njk', {
      pageTitle: 'End an involvement',
      subjectId: id,
      name: currentName(person.identity),
      involvement,
      ...view,
    });
  };

  router.get('/people/:id/involvements/:iid/end', async (req, res) => {
    await endInvolvementPage(req, res, { values: { endDate: datePartsOf(new Date().toISOString().slice(0, 10)) } });
  });

  router.post('/people/:id/involvements/:iid/end', async (req, res) => {
    const problems = new FormProblems();
    const input = endInvolvementInput(req.body, problems);
    const values = { reason: field(req.body, 'reason'), endDate: datePartsFrom(req.body, 'endDate') };
    try {
      if (problems.any) throw formFailure(problems, endInvolvementSchema, input);
      await people.endInvolvement(req.principal!, req.params.id as string, req.params.iid as string, input, auditContext(req));
      req.session.flash = 'The involvement was ended';
      res.redirect(urls.people.person(req.params.id as string));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await endInvolvementPage(req, res, { values, status: 400, ...errorsFor(err, ['endDate', 'reason'], problems) });
    }
  });

  // ----- relationships -----

  const relationshipPage = async (
    req: Request,
    res: Response,
    view: { values: Record<string, unknown>; status?: number } & Partial<FormErrors> & { errorParts?: object },
  ) => {
    const id = req.params.id as string;
    const p = req.principal!;
    const source = req.method === 'GET' ? req.query : req.body;
    const find = { name: field(source, 'findName'), reason: field(source, 'findReason') };
    const [person, ref] = await Promise.all([people.view(p, id, auditContext(req), { purpose: 'record a relationship' }), people.referenceData(p)]);
    const name = currentName(person.identity);
    let candidates: Array<{ subjectId: string; name: string; hint: string }> = [];
    let findErrors: (FormErrors & { errorParts: Record<string, string> }) | undefined;
    const searched = Boolean(find.name || find.reason);
    if (searched) {
      try {
        const results = await people.search(p, { name: find.name, reason: find.reason }, auditContext(req), { limit: 10 });
        candidates = results
          .filter((r) => r.subjectId !== id)
          .map((r) => ({
            subjectId: r.subjectId,
            name: `${r.givenNames} ${r.familyName}`,
            hint: [fmt.dob(r.dateOfBirth, r.dobPrecision), r.otherNames.length ? `also known as ${r.otherNames.join(', ')}` : ''].filter(Boolean).join('; '),
          }));
      } catch (err) {
        if (!isValidationError(err)) throw err;
        findErrors = errorsFor(err, ['name', 'reason'], undefined, { name: 'findName', reason: 'findReason' });
      }
    }
    const relatives = (person.relationships ?? [])
      .filter((r) => !candidates.some((c) => c.subjectId === r.relatedSubjectId))
      .map((r) => ({ subjectId: r.relatedSubjectId, name: `${r.related.givenNames} ${r.related.familyName}`, hint: `Already recorded as their ${r.inverseLabel}` }))
      .filter((r, i, all) => all.findIndex((x) => x.subjectId === r.subjectId) === i);
    const errorList = [...(findErrors?.errorList ?? []), ...(view.errorList ?? [])];
    res.status(findErrors ? 400 : (view.status ?? 200)).render('people/relationship-new.njk', {
      pageTitle: 'Record a relationship',
      subjectId: id,
      name,
      firstName: person.identity?.names.find((n) => n.kind === 'current')?.givenNames ?? name,
      find,
      searched: searched && !findErrors,
      candidates,
      relatives,
      types: ref.relationshipTypes,
      ...view,
      errors: { ...(findErrors?.errors ?? {}), ...(view.errors ?? {}) },
      errorParts: { ...(findErrors?.errorParts ?? {}), ...(view.errorParts ?? {}) },
      errorList,
    });
  };

  router.get('/people/:id/relationships/new', async (req, res) => {
    await relationshipPage(req, res, { values: {} });
  });

  router.post('/people/:id/relationships/new', async (req, res) => {
    const problems = new FormProblems();
    const input = relationshipInput(req.body, problems);
    const values = { ...req.body, fromDate: datePartsFrom(req.body, 'fromDate') };
    try {
      if (problems.any) throw formFailure(problems, relationshipSchema, input);
      const result = await people.addRelationship(req.principal!, req.params.id as string, input, auditContext(req));
      req.session.flash = result === 'created' ? 'The relationship was recorded' : 'This relationship was already recorded';
      res.redirect(urls.people.person(req.params.id as string));
    } catch (err) {
      const e = refusalAsError(err);
      if (!e) throw err;
      await relationshipPage(req, res, { values, status: 400, ...errorsFor(e, RELATIONSHIP_FIELDS, problems) });
    }
  });

  // ----- households -----

  type FormView = { values: Record<string, unknown>; status?: number } & Partial<FormErrors> & { errorParts?: object };

  /** The relatives who could be living with them (for the household forms), without repeats. */
  const relativesOf = (person: PersonView, exclude: ReadonlySet<string>) => {
    const today = new Date().toISOString().slice(0, 10);
    return (person.relationships ?? [])
      .filter((r) => (!r.toDate || r.toDate > today) && !exclude.has(r.relatedSubjectId))
      .map((r) => ({ subjectId: r.relatedSubjectId, name: `${r.related.givenNames} ${r.related.familyName}`, hint: `Their ${r.inverseLabel}; ${fmt.dob(r.related.dateOfBirth, r.related.dobPrecision)}` }))
      .filter((r, i, all) => all.findIndex((x) => x.subjectId === r.subjectId) === i);
  };

  const householdPage = async (req: Request, res: Response, view: FormView) => {
    const id = req.params.id as string;
    const person = await people.view(req.principal!, id, auditContext(req), { purpose: 'record a household' });
    const today = new Date().toISOString().slice(0, 10);
    res.status(view.status ?? 200).render('people/household-new.njk', {
      pageTitle: 'Record a household',
      subjectId: id,
      name: currentName(person.identity),
      currentAddress: person.addresses?.find((a) => !a.toDate || a.toDate > today),
      relatives: relativesOf(person, new Set([id])),
      ...view,
    });
  };

  router.get('/people/:id/households/new', async (req, res) => {
    await householdPage(req, res, { values: { address: 'current', memberSubjectIds: [] } });
  });

  router.post('/people/:id/households/new', async (req, res) => {
    const problems = new FormProblems();
    const input = householdInput(req.body, problems);
    const values = { label: field(req.body, 'label'), address: field(req.body, 'address'), memberSubjectIds: chosenMembers(req.body), fromDate: datePartsFrom(req.body, 'fromDate') };
    try {
      if (problems.any) throw formFailure(problems, householdSchema, input);
      await people.createHousehold(req.principal!, req.params.id as string, input, auditContext(req));
      req.session.flash = 'The household was recorded';
      res.redirect(urls.people.person(req.params.id as string));
    } catch (err) {
      const invalid = refusalAsError(err);
      if (!invalid) throw err;
      await householdPage(req, res, { values, status: 400, ...errorsFor(onCheckboxes(invalid), HOUSEHOLD_FIELDS, problems) });
    }
  });

  /** The person's current household, as they may see it; undefined when it is not one. */
  const currentHousehold = (person: PersonView, householdId: string) => person.households?.find((h) => h.id === householdId && h.current);

  const householdMemberPage = async (req: Request, res: Response, view: FormView) => {
    const id = req.params.id as string;
    const p = req.principal!;
    const source = req.method === 'GET' ? req.query : req.body;
    const find = { name: field(source, 'findName'), reason: field(source, 'findReason') };
    const person = await people.view(p, id, auditContext(req), { purpose: 'record who lives in a household' });
    const household = currentHousehold(person, req.params.hid as string);
    if (!household) return res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    const living = new Set(household.members.filter(isHousemate).filter((m) => m.current).map((m) => m.subjectId));
    let candidates: Array<{ subjectId: string; name: string; hint: string }> = [];
    let findErrors: (FormErrors & { errorParts: Record<string, string> }) | undefined;
    const searched = Boolean(find.name || find.reason);
    if (searched) {
      try {
        const results = await people.search(p, { name: find.name, reason: find.reason }, auditContext(req), { limit: 10 });
        candidates = results
          .filter((r) => !living.has(r.subjectId) && r.subjectId !== id)
          .map((r) => ({ subjectId: r.subjectId, name: `${r.givenNames} ${r.familyName}`, hint: fmt.dob(r.dateOfBirth, r.dobPrecision) }));
      } catch (err) {
        if (!isValidationError(err)) throw err;
        findErrors = errorsFor(err, ['name', 'reason'], undefined, { name: 'findName', reason: 'findReason' });
      }
    }
    const relatives = relativesOf(person, new Set([id, ...living, ...candidates.map((c) => c.subjectId)]));
    res.status(findErrors ? 400 : (view.status ?? 200)).render('people/household-member-new.njk', {
      pageTitle: 'Add someone to the household',
      subjectId: id,
      name: currentName(person.identity),
      household,
      find,
      searched: searched && !findErrors,
      candidates,
      relatives,
      ...view,
      errors: { ...(findErrors?.errors ?? {}), ...(view.errors ?? {}) },
      errorParts: { ...(findErrors?.errorParts ?? {}), ...(view.errorParts ?? {}) },
      errorList: [...(findErrors?.errorList ?? []), ...(view.errorList ?? [])],
    });
  };

  router.get('/people/:id/households/:hid/members/new', async (req, res) => {
    await householdMemberPage(req, res, { values: {} });
  });

  router.post('/people/:id/households/:hid/members/new', async (req, res) => {
    const problems = new FormProblems();
    const input = householdMemberInput(req.body, problems);
    const values = { memberSubjectId: field(req.body, 'memberSubjectId'), fromDate: datePartsFrom(req.body, 'fromDate') };
    try {
      if (problems.any) throw formFailure(problems, householdMemberSchema, input);
      await people.addHouseholdMember(req.principal!, req.params.id as string, req.params.hid as string, input, auditContext(req));
      req.session.flash = 'They were added to the household';
      res.redirect(urls.people.person(req.params.id as string));
    } catch (err) {
      const invalid = refusalAsError(err);
      if (!invalid) throw err;
      await householdMemberPage(req, res, { values, status: 400, ...errorsFor(invalid, HOUSEHOLD_MEMBER_FIELDS, problems) });
    }
  });

  const leavePage = async (req: Request, res: Response, view: FormView) => {
    const id = req.params.id as string;
    const person = await people.view(req.principal!, id, auditContext(req), { purpose: 'record someone leaving a household' });
    const household = currentHousehold(person, req.params.hid as string);
    const member = household?.members.filter(isHousemate).find((m) => m.subjectId === req.params.mid && m.current);
    if (!household || !member) return res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    res.status(view.status ?? 200).render('people/household-leave.njk', {
      pageTitle: 'Record that someone left the household',
      subjectId: id,
      name: currentName(person.identity),
      household,
      member,
      since: member.periods.at(-1)?.fromDate ?? null,
      ...view,
    });
  };

  router.get('/people/:id/households/:hid/members/:mid/leave', async (req, res) => {
    await leavePage(req, res, { values: { toDate: datePartsOf(new Date().toISOString().slice(0, 10)) } });
  });

  router.post('/people/:id/households/:hid/members/:mid/leave', async (req, res) => {
    const problems = new FormProblems();
    const input = leaveHouseholdInput(req.body, problems);
    const values = { toDate: datePartsFrom(req.body, 'toDate') };
    try {
      if (problems.any) throw formFailure(problems, leaveHouseholdSchema, input);
      await people.leaveHousehold(req.principal!, req.params.id as string, req.params.hid as string, req.params.mid as string, input, auditContext(req));
      req.session.flash = 'They were recorded as having left the household';
      res.redirect(urls.people.person(req.params.id as string));
    } catch (err) {
      const invalid = refusalAsError(err);
      if (!invalid) throw err;
      await leavePage(req, res, { values, status: 400, ...errorsFor(invalid, ['toDate'], problems) });
    }
  });

  // ----- names, addresses, identifiers -----

  const simpleForm = (
    path: string,
    template: string,
    title: string,
    purpose: string,
    order: string[],
    build: (body: unknown, problems: FormProblems) => Record<string, unknown>,
    save: (req: Request, input: Record<string, unknown>) => Promise<void>,
    done: string,
    schema?: z.ZodType,
  ) => {
    const render = async (req: Request, res: Response, view: { values: Record<string, unknown>; status?: number } & Partial<FormErrors> & { errorParts?: object }) => {
      const person = await people.view(req.principal!, req.params.id as string, auditContext(req), { purpose });
      res.status(view.status ?? 200).render(template, { pageTitle: title, subjectId: req.params.id, name: currentName(person.identity), ...view });
    };
    router.get(path, async (req, res) => {
      await render(req, res, { values: {} });
    });
    router.post(path, async (req, res) => {
      const problems = new FormProblems();
      const input = build(req.body, problems);
      const values = { ...req.body, fromDate: datePartsFrom(req.body, 'fromDate') };
      try {
        if (problems.any) throw formFailure(problems, schema, input);
        await save(req, input);
        req.session.flash = done;
        res.redirect(urls.people.person(req.params.id as string));
      } catch (err) {
        if (!isValidationError(err)) throw err;
        await render(req, res, { values, status: 400, ...errorsFor(err, order, problems) });
      }
    });
  };

  simpleForm(
    '/people/:id/names/new',
    'people/name-new.njk',
    'Add a name',
    'record a name',
    ['kind', 'givenNames', 'familyName'],
    (body) => nameInput(body),
    (req, input) => people.addName(req.principal!, req.params.id as string, input, auditContext(req)),
    'The name was added',
  );
  simpleForm(
    '/people/:id/addresses/new',
    'people/address-new.njk',
    'Add an address',
    'record an address',
    ['line1', 'line2', 'town', 'postcode', 'fromDate'],
    (body, problems) => addressInput(body, problems),
    (req, input) => people.addAddress(req.principal!, req.params.id as string, input, auditContext(req)),
    'The address was added',
    createPersonSchema.shape.address.unwrap(),
  );
  simpleForm(
    '/people/:id/identifiers/new',
    'people/identifier-new.njk',
    'Add an identifier',
    'record an identifier',
    ['scheme', 'value'],
    (body) => identifierInput(body),
    (req, input) => people.addIdentifier(req.principal!, req.params.id as string, input, auditContext(req)),
    'The identifier was added',
  );

  // ----- emergency access -----

  const breakGlassPage = (req: Request, res: Response, view: { values: Record<string, unknown>; status?: number } & Partial<FormErrors>) => {
    res.status(view.status ?? 200).render('people/break-glass.njk', { pageTitle: 'Emergency access to a record', subjectId: req.params.id, ...view });
  };

  router.get('/people/:id/break-glass', (req, res) => {
    breakGlassPage(req, res, { values: {} });
  });

  router.post('/people/:id/break-glass', async (req, res) => {
    const values = { reason: field(req.body, 'reason'), confirm: field(req.body, 'confirm') };
    try {
      if (values.confirm !== 'yes') {
        // Run the service's own check of the reason too, so both problems show at once.
        const r = breakGlassSchema.safeParse({ reason: values.reason });
        throw new ValidationError({
          ...(r.success ? {} : { reason: r.error.issues[0]!.message }),
          confirm: 'Confirm that you understand your use of emergency access is recorded and reviewed',
        });
      }
      const { expiresAt } = await people.breakGlass(req.principal!, req.params.id as string, { reason: values.reason }, auditContext(req));
      const until = expiresAt.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
      req.session.flash = `You have emergency access to this record until ${until}. Your information-governance lead has been told.`;
      res.redirect(urls.people.person(req.params.id as string));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      breakGlassPage(req, res, { values, status: 400, ...formErrors(err, ['reason', 'confirm']) });
    }
  });

  // ----- who viewed the record -----

  router.get('/people/:id/access-history', async (req, res) => {
    const entries = await people.accessHistory(req.principal!, req.params.id as string, auditContext(req));
    const organisations = new Map((await services.repositories.organisations.list()).map((o) => [o.id, o.name]));
    const rows = entries.map((e) => ({
      ...e,
      organisationName: e.organisationId ? (organisations.get(e.organisationId) ?? '') : '',
      actionLabel: auditActionLabel(e.action),
      basis: typeof e.details.basis === 'string' ? e.details.basis : null,
    }));
    const chart = viewsPerDayChart(
      entries.filter((e) => e.action === 'person.read' && e.outcome === 'success').map((e) => e.occurredAt),
      new Date(),
    );
    res.render('people/access-history.njk', {
      pageTitle: 'Who viewed this record',
      subjectId: req.params.id,
      rows,
      chart,
      daysWithViews: chart.days.filter((d) => d.count > 0),
    });
  });

  // ----- refusals: say what the practitioner can do instead -----

  router.use('/people', (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof AccessDeniedError) || res.headersSent) return next(err);
    const subjectId = /^\/([0-9a-f-]{36})(?:\/|$)/i.exec(req.path)?.[1];
    const p = req.principal!;
    res.status(403).render('people/no-access.njk', {
      pageTitle: subjectId ? 'You do not have access to this record' : 'You do not have access',
      subjectId,
      message: err.decision.reason,
      withheld: err.decision.redacted,
      reasonGiven: field(req.query, 'reason'),
      canAddInvolvement: isPractitioner(p),
      canBreakGlass: isPractitioner(p),
    });
  });

  return router;
}
