import { Router, type Request, type Response } from 'express';
import { describeClock } from '../../../front-door/timescale.ts';
import { OUTCOMES_BY_LEVEL } from '../../../front-door/decision-rules.ts';
import { DECLINE_CONSIDERATIONS, DECLINE_CONSIDERATION_LABELS, type DeclineConsideration } from '../../../front-door/research-rules.ts';
import { FAMILY_KNOWS, FAMILY_KNOWS_LABELS, QUALITY_LABELS, URGENCIES, URGENCY_LABELS, type ContactView, type PoliceImportResult } from '../../../services/front-door-service.ts';
import type { Services } from '../../../services/index.ts';
import { hasRole, ValidationError } from '../../../services/principal.ts';
import { escapeHtml, field, formErrors, isValidationError, type FormErrors } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { requireSignedIn } from '../../setup/authentication.ts';
import { urls } from '../../urls.ts';
import { categoryLabel } from '../people/format.ts';
import { barChart, clockFace } from './charts.ts';
import {
  fieldList,
  intakeFieldId,
  intakeInput,
  intakeOrder,
  intakeValues,
  ITEM_SLOTS,
  PERSON_SLOTS,
  responseFieldId,
  responseInput,
  responseValues,
  type IntakeValues,
  type ResponseValues,
} from './validation.ts';

/** The page where a police force's MASH officer or manager pastes notifications as CSV (the API takes the same). */
const POLICE_NOTIFICATIONS = '/front-door/police-notifications';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUS = { new: 'New: not rated', in_hub: 'In the hub', awaiting_sign_off: 'Waiting for sign-off', decided: 'Decided' } as const;
const SOURCE = { professional: 'Professional', public: 'Member of the public', police: 'Police notification' } as const;
const RATING_TAGS: Record<string, string> = { red: 'govuk-tag--red', amber: 'govuk-tag--orange', green: 'govuk-tag--green' };
const CLOCK_TAGS: Record<string, { text: string; classes: string } | null> = {
  warning: { text: 'Due soon', classes: 'govuk-tag--yellow' },
  breached: { text: 'Overdue', classes: 'govuk-tag--red' },
  missed: { text: 'Decided late', classes: 'govuk-tag--red' },
  met: { text: 'In time', classes: 'govuk-tag--green' },
  running: null,
  unrated: null,
};

const dateTime = (d: Date | null | undefined) =>
  d ? d.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' }) : '';

/** Wording for the front door's pages, given to the views as `fd`. */
function formatter(lists: Awaited<ReturnType<Services['frontDoor']['codeLists']>>, bases: ReadonlyArray<{ code: string; label: string }>) {
  const label = (items: ReadonlyArray<{ code: string; label: string }>) => (code: string | null | undefined) => items.find((i) => i.code === code)?.label ?? code ?? '';
  return {
    basis: label(bases),
    bases: (codes: readonly string[]) => codes.map(label(bases)),
    consideration: (c: string) => DECLINE_CONSIDERATION_LABELS[c as DeclineConsideration] ?? c,
    dateTime,
    status: (s: keyof typeof STATUS) => STATUS[s] ?? s,
    source: (s: keyof typeof SOURCE) => SOURCE[s] ?? s,
    category: label(lists.categories),
    categories: (codes: string[]) => codes.map(label(lists.categories)).join(', '),
    rating: label(lists.ratings),
    ratingTag: (r: string) => RATING_TAGS[r] ?? 'govuk-tag--grey',
    clockTag: (state: string) => CLOCK_TAGS[state] ?? null,
    level: label(lists.levels),
    outcome: label(lists.outcomes),
    familyKnows: (v: keyof typeof FAMILY_KNOWS_LABELS) => FAMILY_KNOWS_LABELS[v] ?? v,
    urgency: (v: keyof typeof URGENCY_LABELS) => URGENCY_LABELS[v] ?? v,
    quality: (v: keyof typeof QUALITY_LABELS) => QUALITY_LABELS[v] ?? v,
    dataCategory: categoryLabel,
    role: (r: string) => ({ child: 'Child', unborn: 'Unborn child', adult: 'Adult' })[r] ?? r,
  };
}

/** GOV.UK errors from a service's validation error, its field names mapped to the page's element ids. */
function errorsOf(err: ValidationError, order: string[], id: (k: string) => string = (k) => k): FormErrors {
  const mapped: Record<string, string> = {};
  for (const [k, v] of Object.entries(err.fields)) mapped[id(k)] ??= v;
  return formErrors(new ValidationError(mapped), order);
}

/** The MASH front door: intake, the hub's queue and contacts, research, decisions, agencies' answers, feedback, the dashboard. */
export function frontDoorRoutes(services: Services): Router {
  const router = Router();
  const fd = services.frontDoor;
  const ctxOf = auditContext;
  const page = async () => ({ fd: formatter(await fd.codeLists(), await fd.legalBases()) });
  router.use('/front-door', requireSignedIn);
  router.param('id', (_req, _res, next, id: string) => next(UUID.test(id) ? undefined : 'route'));
  router.param('personId', (_req, _res, next, id: string) => next(UUID.test(id) ? undefined : 'route'));
  router.param('subjectId', (_req, _res, next, id: string) => next(UUID.test(id) ? undefined : 'route'));
  router.param('requestId', (_req, _res, next, id: string) => next(UUID.test(id) ? undefined : 'route'));

  // ----- intake -----

  const intakePage = async (req: Request, res: Response, values: IntakeValues, extra: Partial<FormErrors> & { status?: number } = {}) => {
    const [lists, hubs] = await Promise.all([fd.codeLists(), fd.hubs()]);
    const p = req.principal!;
    const inHub = hubs.some((h) => h.id === p.organisationId) && hasRole(p, 'mash_officer');
    res.status(extra.status ?? 200).render('front-door/new.njk', {
      ...(await page()),
      pageTitle: inHub ? 'Record a contact' : 'Refer a concern to the hub',
      values,
      errors: extra.errors,
      errorList: extra.errorList,
      lists,
      hubs,
      inHub,
      slots: Array.from({ length: PERSON_SLOTS }, (_, i) => i),
      familyKnows: FAMILY_KNOWS.map((v) => ({ value: v, text: FAMILY_KNOWS_LABELS[v] })),
      urgencies: URGENCIES.map((v) => ({ value: v, text: URGENCY_LABELS[v] })),
    });
  };

  router.get('/front-door/new', async (req, res) => intakePage(req, res, intakeValues({})));

  router.post('/front-door/new', async (req, res) => {
    const values = intakeValues(req.body);
    const { input, slots } = intakeInput(values);
    try {
      const made = await fd.intake(req.principal!, input, ctxOf(req));
      const hubs = await fd.hubs();
      if (hubs.some((h) => h.id === req.principal!.organisationId) && hasRole(req.principal, 'mash_officer', 'team_manager')) {
        req.session.flash = `Contact ${escapeHtml(made.reference)} was recorded`;
        return res.redirect(urls.frontDoor.contact(made.id));
      }
      res.render('front-door/sent.njk', { ...(await page()), pageTitle: 'Referral sent', reference: made.reference });
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await intakePage(req, res, values, { status: 400, ...errorsOf(err, intakeOrder(), (k) => intakeFieldId(k, slots)) });
    }
  });

  // ----- the hub's queue -----

  router.get('/front-door', async (req, res) => {
    const items = await fd.queue(req.principal!, ctxOf(req));
    res.render('front-door/queue.njk', {
      ...(await page()),
      pageTitle: 'MASH contacts',
      items: items.map((i) => ({ ...i, face: clockFace(i.clock) })),
      canOversee: hasRole(req.principal, 'team_manager', 'mash_officer'),
      isManager: hasRole(req.principal, 'team_manager'),
    });
  });

  // ----- a contact -----

  const contactPage = async (req: Request, res: Response, id: string, extra: Partial<FormErrors> & { status?: number; values?: Record<string, unknown> } = {}) => {
    const view: ContactView = await fd.view(req.principal!, id, ctxOf(req));
    const p = req.principal!;
    const [lists, agencies, legalBases] = await Promise.all([fd.codeLists(), fd.agencies(p), fd.legalBases()]);
    const d = view.contact.decision;
    res.status(extra.status ?? 200).render('front-door/contact.njk', {
      ...(await page()),
      pageTitle: `Contact ${view.contact.reference}`,
      v: view,
      c: view.contact,
      face: clockFace(view.clock),
      lists,
      agencies,
      legalBases,
      suggestedBases: fd.suggestedLegalBases(view.contact),
      canTriage: hasRole(p, 'mash_officer') && view.contact.status !== 'decided' && view.contact.status !== 'awaiting_sign_off',
      canSignOff: hasRole(p, 'team_manager') && d?.signOff === 'pending' && d.decidedBy !== p.userId,
      ownDecision: d?.signOff === 'pending' && d.decidedBy === p.userId,
      matchedPersons: view.contact.persons.filter((x) => x.subjectId && x.enquiryId),
      values: extra.values ?? {},
      errors: extra.errors,
      errorList: extra.errorList,
    });
  };

  router.get('/front-door/contacts/:id', async (req, res) => contactPage(req, res, req.params.id as string));

  const contactAction = (path: string, order: string[], input: (body: unknown) => Record<string, unknown>, run: (req: Request, id: string, input: Record<string, unknown>) => Promise<unknown>, done: string) =>
    router.post(`/front-door/contacts/:id/${path}`, async (req, res) => {
      const id = req.params.id as string;
      const values = input(req.body);
      try {
        await run(req, id, values);
        req.session.flash = done;
        res.redirect(urls.frontDoor.contact(id));
      } catch (err) {
        if (!isValidationError(err)) throw err;
        await contactPage(req, res, id, { status: 400, values, ...errorsOf(err, order, (k) => (k === 'form' ? order[0]! : k)) });
      }
    });

  contactAction(
    'rating',
    ['rating', 'reason', 'legalBases'],
    (b) => ({ rating: field(b, 'rating') || undefined, reason: field(b, 'reason'), legalBases: fieldList(b, 'legalBases') }),
    (req, id, v) => fd.rate(req.principal!, id, v, ctxOf(req)),
    'The contact was rated',
  );
  contactAction(
    'research',
    ['personId', 'agencyOrganisationIds', 'question'],
    (b) => ({ personId: field(b, 'personId') || undefined, agencyOrganisationIds: fieldList(b, 'agencyOrganisationIds'), question: field(b, 'question') }),
    (req, id, v) => fd.requestResearch(req.principal!, id, v, ctxOf(req)),
    'The research requests were sent',
  );
  contactAction(
    'sign-off',
    ['approve', 'comment'],
    (b) => ({ approve: field(b, 'approve') === 'yes' ? true : field(b, 'approve') === 'no' ? false : undefined, comment: field(b, 'comment') }),
    (req, id, v) => fd.signOff(req.principal!, id, v, ctxOf(req)),
    'Your sign-off was recorded',
  );
  contactAction('referrer-told', ['how'], (b) => ({ how: field(b, 'how') }), (req, id, v) => fd.recordReferrerTold(req.principal!, id, v, ctxOf(req)), 'Recorded that the referrer was told');
  contactAction(
    'feedback',
    ['quality', 'comments'],
    (b) => ({ quality: field(b, 'quality') || undefined, comments: field(b, 'comments') }),
    (req, id, v) => fd.feedback(req.principal!, id, v, ctxOf(req)),
    'Your feedback was sent to the referrer',
  );

  // ----- matching a person named -----

  const personPage = async (req: Request, res: Response, extra: Partial<FormErrors> & { status?: number } = {}) => {
    const id = req.params.id as string;
    const personId = req.params.personId as string;
    const view = await fd.view(req.principal!, id, ctxOf(req));
    const person = view.contact.persons.find((x) => x.id === personId);
    if (!person) return res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    const candidates = person.subjectId ? [] : await fd.candidates(req.principal!, id, personId, ctxOf(req));
    res.status(extra.status ?? 200).render('front-door/person.njk', { ...(await page()), pageTitle: `Who is ${person.givenNames} ${person.familyName}?`, c: view.contact, person, candidates, errors: extra.errors, errorList: extra.errorList });
  };
  router.get('/front-door/contacts/:id/people/:personId', async (req, res) => personPage(req, res));
  router.post('/front-door/contacts/:id/people/:personId', async (req, res) => {
    const choice = field(req.body, 'choice');
    const input = choice === 'new' ? { action: 'new', sex: field(req.body, 'sex') || undefined } : choice ? { action: 'existing', subjectId: choice } : {};
    try {
      await fd.match(req.principal!, req.params.id as string, req.params.personId as string, input, ctxOf(req));
      req.session.flash = 'The person was matched';
      res.redirect(urls.frontDoor.contact(req.params.id as string));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await personPage(req, res, { status: 400, ...errorsOf(err, ['choice', 'sex'], (k) => (k === 'sex' ? 'sex' : 'choice')) });
    }
  });

  // ----- the threshold decision -----

  const decisionPage = async (req: Request, res: Response, values: Record<string, string>, extra: Partial<FormErrors> & { status?: number } = {}) => {
    const view = await fd.view(req.principal!, req.params.id as string, ctxOf(req));
    const lists = await fd.codeLists();
    res.status(extra.status ?? 200).render('front-door/decision.njk', {
      ...(await page()),
      pageTitle: 'Threshold decision',
      c: view.contact,
      clockText: describeClock(view.clock),
      face: clockFace(view.clock),
      declined: view.research.filter((r) => r.status === 'declined'),
      openResearch: view.research.filter((r) => r.status === 'open'),
      lists,
      fits: Object.entries(OUTCOMES_BY_LEVEL).map(([level, outcomes]) => ({ level, outcomes })),
      values,
      errors: extra.errors,
      errorList: extra.errorList,
    });
  };
  const decisionFields = ['level', 'outcome', 'advice', 'serviceName', 'serviceId', 'leadProfessional', 'rationale'];
  router.get('/front-door/contacts/:id/decision', async (req, res) => decisionPage(req, res, {}));
  router.post('/front-door/contacts/:id/decision', async (req, res) => {
    const values = Object.fromEntries(decisionFields.map((f) => [f, field(req.body, f)]));
    try {
      await fd.decide(req.principal!, req.params.id as string, { ...values, level: values.level || undefined, outcome: values.outcome || undefined }, ctxOf(req));
      req.session.flash = 'The decision was recorded and sent to a manager for sign-off';
      res.redirect(urls.frontDoor.contact(req.params.id as string));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await decisionPage(req, res, values, { status: 400, ...errorsOf(err, decisionFields, (k) => (k === 'form' ? 'level' : k)) });
    }
  });

  // ----- research requests to an agency -----

  router.get('/front-door/research', async (req, res) => {
    const requests = await fd.researchInbox(req.principal!, ctxOf(req));
    res.render('front-door/research-inbox.njk', { ...(await page()), pageTitle: 'Research requests from the hub', requests, policeNotifications: req.principal!.organisationType === 'police' ? POLICE_NOTIFICATIONS : null });
  });

  const researchPage = async (req: Request, res: Response, values: ResponseValues, extra: Partial<FormErrors> & { status?: number; decline?: Record<string, string> } = {}) => {
    const { request, linkedRecords } = await fd.researchRequest(req.principal!, req.params.subjectId as string, req.params.requestId as string, ctxOf(req));
    res.status(extra.status ?? 200).render('front-door/research.njk', {
      ...(await page()),
      pageTitle: 'Answer a research request',
      r: request,
      linkedRecords,
      values,
      slots: Array.from({ length: ITEM_SLOTS }, (_, i) => i),
      considerations: DECLINE_CONSIDERATIONS.map((c) => ({ value: c, text: DECLINE_CONSIDERATION_LABELS[c] })),
      decline: extra.decline ?? {},
      errors: extra.errors,
      errorList: extra.errorList,
    });
  };
  router.get('/front-door/research/:subjectId/:requestId', async (req, res) => researchPage(req, res, responseValues({})));
  router.post('/front-door/research/:subjectId/:requestId', async (req, res) => {
    const values = responseValues(req.body);
    const { input, slots } = responseInput(values);
    try {
      await fd.respond(req.principal!, req.params.subjectId as string, req.params.requestId as string, input, ctxOf(req));
      req.session.flash = 'Your answer was sent to the hub';
      res.redirect(urls.frontDoor.researchInbox());
    } catch (err) {
      if (!isValidationError(err)) throw err;
      const order = ['nothingHeld', ...Array.from({ length: ITEM_SLOTS }, (_, i) => ['Summary', 'LinkedRecord', 'Withheld', 'WithheldReason'].map((f) => `item${i}${f}`)).flat()];
      await researchPage(req, res, values, { status: 400, ...errorsOf(err, order, (k) => (k === 'form' ? 'nothingHeld' : responseFieldId(k, slots))) });
    }
  });

  const declineFields = ['declineConsideration', 'declineReason', 'declineAskInstead', 'declineAskAgainOn'];
  router.post('/front-door/research/:subjectId/:requestId/decline', async (req, res) => {
    const decline = Object.fromEntries(declineFields.map((f) => [f, field(req.body, f)]));
    try {
      await fd.decline(
        req.principal!,
        req.params.subjectId as string,
        req.params.requestId as string,
        { consideration: decline.declineConsideration, reason: decline.declineReason, askInstead: decline.declineAskInstead, askAgainOn: decline.declineAskAgainOn },
        ctxOf(req),
      );
      req.session.flash = 'Your decision not to share was sent to the hub';
      res.redirect(urls.frontDoor.researchInbox());
    } catch (err) {
      if (!isValidationError(err)) throw err;
      const id = (k: string) => (k === 'form' ? 'declineConsideration' : `decline${k.charAt(0).toUpperCase()}${k.slice(1)}`);
      await researchPage(req, res, responseValues({}), { status: 400, decline, ...errorsOf(err, declineFields, id) });
    }
  });

  // ----- police notifications pasted as CSV (a force's own system sends them through the API) -----

  const policePage = async (req: Request, res: Response, values: { csv: string; hubOrganisationId: string }, extra: Partial<FormErrors> & { status?: number; result?: PoliceImportResult } = {}) => {
    res.status(extra.status ?? 200).render('front-door/police.njk', {
      ...(await page()),
      pageTitle: 'Send police notifications to the hub',
      action: POLICE_NOTIFICATIONS,
      hubs: await fd.hubs(),
      categoryCodes: (await fd.codeLists()).categories.map((c) => c.code).join(', '),
      values,
      result: extra.result,
      errors: extra.errors,
      errorList: extra.errorList,
    });
  };
  router.get(POLICE_NOTIFICATIONS, async (req, res) => {
    await fd.requirePoliceSender(req.principal!, ctxOf(req));
    await policePage(req, res, { csv: '', hubOrganisationId: '' });
  });
  router.post(POLICE_NOTIFICATIONS, async (req, res) => {
    const values = { csv: field(req.body, 'csv'), hubOrganisationId: field(req.body, 'hubOrganisationId') };
    try {
      await fd.requirePoliceSender(req.principal!, ctxOf(req));
      if (values.csv.trim() === '') throw new ValidationError({ csv: 'Paste the notifications as CSV, the header row first' });
      const bytes = new TextEncoder().encode(values.csv);
      const result = await fd.importPoliceNotificationsCsv(
        req.principal!,
        (async function* () {
          yield bytes;
        })(),
        values.hubOrganisationId || undefined,
        ctxOf(req),
      );
      // The text stays in the box: after fixing the refused rows it can be sent again (rows already taken come back unchanged).
      await policePage(req, res, values, { result });
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await policePage(req, res, values, { status: 400, ...errorsOf(err, ['hubOrganisationId', 'csv'], (k) => (k === 'hubOrganisationId' ? k : 'csv')) });
    }
  });

  // ----- feedback to referrers -----

  router.get('/front-door/referrals', async (req, res) => {
    const rows = await fd.referralFeedback(req.principal!, ctxOf(req));
    res.render('front-door/referrals.njk', { ...(await page()), pageTitle: 'Feedback on your referrals', rows });
  });

  // ----- oversight -----

  const period = (q: unknown) => ({ from: field(q, 'from') || undefined, to: field(q, 'to') || undefined });

  router.get('/front-door/dashboard.csv', async (req, res) => {
    const { csv, from, to } = await fd.dashboardCsv(req.principal!, period(req.query), ctxOf(req));
    res.status(200).type('text/csv').setHeader('Content-Disposition', `attachment; filename="mash-contacts-${from}-to-${to}.csv"`);
    res.send(csv);
  });

  router.get('/front-door/dashboard', async (req, res) => {
    const values = period(req.query);
    try {
      const { dashboard: d, from, to, timescales } = await fd.dashboard(req.principal!, values, ctxOf(req));
      res.render('front-door/dashboard.njk', {
        ...(await page()),
        pageTitle: 'MASH dashboard',
        d,
        from,
        to,
        timescales,
        values: { from, to },
        charts: [
          barChart('chart-source', 'Contacts by source', d.bySource),
          barChart('chart-category', 'Contacts by category of concern', d.byCategory),
          barChart('chart-rating', 'Rating mix', d.byRating),
          barChart('chart-timeliness', 'Decisions within timescale', d.timeliness),
          barChart('chart-outcome', 'Outcomes', d.byOutcome),
          barChart('chart-re-referral', 'Re-referrals', d.reReferrals),
        ],
        csvHref: urls.frontDoor.dashboardCsv({ from, to }),
      });
    } catch (err) {
      if (!isValidationError(err)) throw err;
      res.status(400).render('front-door/dashboard.njk', { ...(await page()), pageTitle: 'MASH dashboard', values, charts: [], ...errorsOf(err, ['from', 'to']) });
    }
  });

  const timescalesPage = async (req: Request, res: Response, values: Record<string, string> | null, extra: Partial<FormErrors> & { status?: number } = {}) => {
    const t = await fd.timescales(req.principal!);
    const shown = values ?? Object.fromEntries((['red', 'amber', 'green'] as const).flatMap((r) => [[`${r}Hours`, String(t[r].hours)], [`${r}WarnHours`, String(t[r].warnHours)]]));
    res.status(extra.status ?? 200).render('front-door/timescales.njk', { ...(await page()), pageTitle: 'Timescales', values: shown, errors: extra.errors, errorList: extra.errorList });
  };
  router.get('/front-door/timescales', async (req, res) => timescalesPage(req, res, null));
  router.post('/front-door/timescales', async (req, res) => {
    const names = ['redHours', 'redWarnHours', 'amberHours', 'amberWarnHours', 'greenHours', 'greenWarnHours'];
    const values = Object.fromEntries(names.map((n) => [n, field(req.body, n)]));
    try {
      await fd.setTimescales(req.principal!, Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.trim() === '' ? undefined : v])), ctxOf(req));
      req.session.flash = 'The timescales were saved. Contacts rated from now on use them';
      res.redirect(urls.frontDoor.timescales());
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await timescalesPage(req, res, values, { status: 400, ...errorsOf(err, names) });
    }
  });

  return router;
}
