import { Router, type Request, type Response } from 'express';
import { ASSESSMENT_PAGES, DOMAINS, elementsOf, PAGE_TITLES, type AssessmentPage } from '../../../early-help/domains.ts';
import { MEETING_KINDS, nextMeetingDate, type MeetingKind } from '../../../early-help/meetings.ts';
import { ACTION_STATUSES, REVIEW_INTERVALS, STATUS_LABELS, progressAgainstPlan } from '../../../early-help/plan.ts';
import { mayManageMeeting } from '../../../policy/early-help.ts';
import { requesterOf } from '../../../policy/policy-gate.ts';
import type { Services } from '../../../services/index.ts';
import { ValidationError } from '../../../services/principal.ts';
import { escapeHtml, field, formErrors, isValidationError } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { requireSignedIn } from '../../setup/authentication.ts';
import { urls } from '../../urls.ts';
import { formatDate } from '../people/format.ts';
import { datePartsOf } from '../people/validation.ts';
import { indicatorChart } from './kpi-chart.ts';
import { dateField, fieldIdOf, meetingInput, pageInput } from './validation.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const OUTCOME_LABELS: Record<string, string> = {
  needs_met: 'Needs met',
  stepped_up: "Stepped up to children's social care",
  stepped_down: 'Stepped down to universal services',
  family_withdrew: 'The family withdrew their consent',
  moved_away: 'Moved out of the area',
};
const STATUS_TAGS: Record<string, string> = { not_started: 'govuk-tag--grey', in_progress: 'govuk-tag--blue', done: 'govuk-tag--green', dropped: 'govuk-tag--grey' };

/** Plain-English wording for the early help pages, given to the views as `fmt`. */
const fmt = {
  date: formatDate,
  status: (s: string) => STATUS_LABELS[s as keyof typeof STATUS_LABELS] ?? s,
  statusTag: (s: string) => STATUS_TAGS[s] ?? 'govuk-tag--grey',
  outcome: (s: string | null) => (s ? (OUTCOME_LABELS[s] ?? s) : ''),
  days: (n: number) => `${Math.abs(n)} day${Math.abs(n) === 1 ? '' : 's'}`,
  pageTitle: (p: string) => PAGE_TITLES[p as AssessmentPage] ?? p,
};

/** Error summary and field messages, with the service's field names as the form's ids. */
function errorsOf(err: ValidationError, rename: Record<string, string> = {}) {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(err.fields)) {
    const key = fieldIdOf(k.replace(/^body\./, '').replace(/\.\d+$/, ''));
    fields[rename[key] ?? key] ??= v;
  }
  // Problems with no field of their own (`form`) are listed without a link.
  return formErrors(new ValidationError(fields), Object.keys(fields).filter((k) => k !== 'form'));
}

/** Early help pages: a child's plan for the team around the family, the assessment saved as you go, meetings, and a practitioner's tasks. */
export function earlyHelpRoutes(services: Services): Router {
  const router = Router();
  const eh = services.earlyHelp;

  router.use('/early-help', requireSignedIn, (_req, res, next) => {
    res.locals.fmt = fmt;
    next();
  });
  for (const name of ['id', 'assessmentId', 'actionId']) {
    router.param(name, (_req, res, next, id: string) => {
      if (UUID.test(id)) return next();
      res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    });
  }

  /** Runs a form's change; a ValidationError re-renders the form with the errors (400), anything else is the error handler's. */
  const attempt = async (res: Response, change: () => Promise<void>, rerender: (errors: object) => Promise<void>, rename: Record<string, string> = {}) => {
    try {
      await change();
    } catch (err) {
      if (!isValidationError(err)) throw err;
      res.status(400);
      await rerender(errorsOf(err, rename));
    }
  };
  const flash = (req: Request, text: string) => {
    req.session.flash = escapeHtml(text);
  };

  // ----- tasks -----

  router.get(urls.earlyHelp.tasks(), async (req, res) => {
    const tasks = await eh.tasks(req.principal!, auditContext(req));
    res.render('early-help/tasks.njk', { pageTitle: 'My early help tasks', tasks });
  });

  // ----- a child's early help -----

  const renderPerson = async (req: Request, res: Response, extra: object = {}) => {
    const p = req.principal!;
    const o = await eh.overview(p, (req.params.id as string), auditContext(req));
    const r = requesterOf(p);
    const agendaMeetings = (await eh.meetings(p)).filter(
      (m) => m.individualCases && m.status === 'scheduled' && mayManageMeeting(r, { organisationId: m.organisationId, createdBy: m.createdBy, attendeeIds: m.attendees.map((a) => a.userId), legalBases: m.legalBases }).allow,
    );
    res.render('early-help/person.njk', { pageTitle: `Early help: ${o.person.name}`, o, intervals: REVIEW_INTERVALS, agendaMeetings, values: {}, ...extra });
  };

  router.get('/early-help/people/:id', (req, res) => renderPerson(req, res));

  router.post('/early-help/people/:id/plan', async (req, res) => {
    const values = { reason: field(req.body, 'reason'), reviewIntervalDays: field(req.body, 'reviewIntervalDays') };
    await attempt(
      res,
      async () => {
        await eh.openPlan(req.principal!, (req.params.id as string), values, auditContext(req));
        flash(req, 'The early help plan is started. Next: the assessment, the lead professional and the actions.');
        res.redirect(urls.earlyHelp.person((req.params.id as string)));
      },
      (errors) => renderPerson(req, res, { values, ...errors }),
    );
  });

  router.post('/early-help/people/:id/agenda', async (req, res) => {
    const meetingId = field(req.body, 'meetingId');
    const values = { meetingId, reason: field(req.body, 'agendaReason') };
    await attempt(
      res,
      async () => {
        if (!UUID.test(meetingId)) throw new ValidationError({ meetingId: 'Choose the meeting' });
        await eh.addAgendaItem(req.principal!, meetingId, { subjectId: req.params.id, reason: values.reason }, auditContext(req));
        flash(req, 'Added to the agenda');
        res.redirect(urls.earlyHelp.meeting(meetingId));
      },
      (errors) => renderPerson(req, res, { values, ...errors }),
      { reason: 'agendaReason', subjectId: 'meetingId' },
    );
  });

  // ----- the assessment -----

  router.post('/early-help/people/:id/assessments', async (req, res) => {
    const s = await eh.startAssessment(req.principal!, (req.params.id as string), auditContext(req));
    res.redirect(urls.earlyHelp.assessmentPage((req.params.id as string), s.id, 'consent'));
  });

  const renderAssessment = async (req: Request, res: Response, extra: object = {}) => {
    const a = await eh.assessment(req.principal!, (req.params.id as string), (req.params.assessmentId as string), auditContext(req));
    const problems = a.problems.map((x) => ({ text: x.message, id: `todo-${x.page}-${x.field}`, href: `${urls.earlyHelp.assessmentPage(a.subjectId, a.id, x.page)}#${x.field}` }));
    res.render('early-help/assessment.njk', { pageTitle: `Early help assessment, version ${a.version}: ${a.person.name}`, a, pages: ASSESSMENT_PAGES, domains: DOMAINS.map((d) => ({ ...d, elements: elementsOf(d.code) })), problems, ...extra });
  };

  router.get('/early-help/people/:id/assessments/:assessmentId', (req, res) => renderAssessment(req, res));

  router.post('/early-help/people/:id/assessments/:assessmentId', async (req, res) => {
    const p = req.principal!;
    const { id, assessmentId } = req.params as { id: string; assessmentId: string };
    if (field(req.body, 'action') === 'new-version') {
      const s = await eh.startAssessment(p, id, auditContext(req));
      flash(req, `Version ${s.version} is a draft copied from the completed assessment. Change what has changed, then complete it.`);
      return res.redirect(urls.earlyHelp.assessmentPage(id, s.id, 'consent'));
    }
    try {
      await eh.completeAssessment(p, id, assessmentId, auditContext(req));
      flash(req, 'The assessment is complete and locked. To change it, start a new version.');
      res.redirect(urls.earlyHelp.assessment(id, assessmentId));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      res.status(400);
      await renderAssessment(req, res, {
        errorList: Object.entries(err.fields).map(([k, text]) => {
          const [page, f] = k.split('.');
          return page && f ? { text, href: `#todo-${page}-${f}` } : { text };
        }),
      });
    }
  });

  const renderPage = async (req: Request, res: Response, page: AssessmentPage, extra: { values?: Record<string, unknown> } & object = {}) => {
    const a = await eh.assessment(req.principal!, (req.params.id as string), (req.params.assessmentId as string), auditContext(req));
    const domain = DOMAINS.find((d) => d.page === page);
    const i = ASSESSMENT_PAGES.indexOf(page);
    const values: Record<string, unknown> = {
      assessmentConsent: a.assessmentConsent,
      givenBy: a.consentGivenBy,
      givenByName: a.consentGivenByName,
      shareConsent: a.shareConsent,
      childWords: a.childWords,
      familyWords: a.familyWords,
      ...Object.fromEntries(Object.entries(a.answers).flatMap(([code, x]) => [[`${code}-strengths`, x.strengths], [`${code}-needs`, x.needs]])),
      ...(extra.values ?? {}),
    };
    res.render('early-help/assessment-page.njk', {
      pageTitle: `${PAGE_TITLES[page]}: early help assessment`,
      a,
      page,
      pages: ASSESSMENT_PAGES,
      position: i + 1,
      nextPage: ASSESSMENT_PAGES[i + 1] ?? null,
      elements: domain ? elementsOf(domain.code) : [],
      ...extra,
      values,
    });
  };

  router.get('/early-help/people/:id/assessments/:assessmentId/:page', async (req, res) => {
    const page = req.params.page as AssessmentPage;
    if (!ASSESSMENT_PAGES.includes(page)) return res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    await renderPage(req, res, page);
  });

  router.post('/early-help/people/:id/assessments/:assessmentId/:page', async (req, res) => {
    const page = req.params.page as AssessmentPage;
    if (!ASSESSMENT_PAGES.includes(page)) return res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    const { id, assessmentId } = req.params as { id: string; assessmentId: string };
    const input = pageInput(page, req.body);
    const formValues = page === 'consent' || page === 'words' ? input : Object.fromEntries(Object.entries((input.answers ?? {}) as Record<string, { strengths: string; needs: string }>).flatMap(([c, x]) => [[`${c}-strengths`, x.strengths], [`${c}-needs`, x.needs]]));
    await attempt(
      res,
      async () => {
        await eh.saveAssessmentPage(req.principal!, id, assessmentId, page, input, auditContext(req));
        const next = ASSESSMENT_PAGES[ASSESSMENT_PAGES.indexOf(page) + 1];
        if (field(req.body, 'then') === 'later' || !next) {
          flash(req, `${PAGE_TITLES[page]} saved. The draft keeps what you entered: come back to it at any time.`);
          return res.redirect(urls.earlyHelp.assessment(id, assessmentId));
        }
        res.redirect(urls.earlyHelp.assessmentPage(id, assessmentId, next));
      },
      (errors) => renderPage(req, res, page, { values: formValues, ...errors }),
    );
  });

  // ----- lead professional -----

  const renderLead = async (req: Request, res: Response, extra: object = {}) => {
    const o = await eh.overview(req.principal!, (req.params.id as string), auditContext(req));
    res.render('early-help/lead-professional.njk', { pageTitle: `Lead professional: ${o.person.name}`, o, practitioners: await eh.practitioners(), values: {}, ...extra });
  };
  router.get('/early-help/people/:id/lead-professional', (req, res) => renderLead(req, res));
  router.post('/early-help/people/:id/lead-professional', async (req, res) => {
    const values = { userId: field(req.body, 'userId'), note: field(req.body, 'note') };
    await attempt(
      res,
      async () => {
        await eh.nameLeadProfessional(req.principal!, (req.params.id as string), values, auditContext(req));
        flash(req, 'The lead professional is recorded, with the handover');
        res.redirect(urls.earlyHelp.person((req.params.id as string)));
      },
      (errors) => renderLead(req, res, { values, ...errors }),
    );
  });

  // ----- actions -----

  const renderNewAction = async (req: Request, res: Response, extra: object = {}) => {
    const o = await eh.overview(req.principal!, (req.params.id as string), auditContext(req));
    res.render('early-help/action-new.njk', { pageTitle: `Add an action: ${o.person.name}`, o, owners: o.team.filter((t) => t.practitionerId), values: {}, ...extra });
  };
  router.get('/early-help/people/:id/actions', (req, res) => renderNewAction(req, res));
  router.post('/early-help/people/:id/actions', async (req, res) => {
    const values = { description: field(req.body, 'description'), ownerId: field(req.body, 'ownerId'), dueOn: {} as object };
    await attempt(
      res,
      async () => {
        const due = dateField(req.body, 'dueOn', 'The date it is due by');
        values.dueOn = due.parts;
        await eh.addAction(req.principal!, (req.params.id as string), { ...values, dueOn: due.iso ?? '' }, auditContext(req));
        flash(req, 'The action is added to the plan and to its owner\'s task list');
        res.redirect(urls.earlyHelp.person((req.params.id as string)));
      },
      (errors) => renderNewAction(req, res, { values: { ...values, dueOn: values.dueOn }, ...errors }),
    );
  });

  const renderAction = async (req: Request, res: Response, extra: object = {}) => {
    const o = await eh.overview(req.principal!, (req.params.id as string), auditContext(req));
    const action = o.actions.find((a) => a.id === req.params.actionId);
    if (!action) return void res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    res.render('early-help/action.njk', { pageTitle: `Update an action: ${o.person.name}`, o, action, statuses: ACTION_STATUSES, values: { status: action.status, progressNote: action.progressNote }, ...extra });
  };
  router.get('/early-help/people/:id/actions/:actionId', (req, res) => renderAction(req, res));
  router.post('/early-help/people/:id/actions/:actionId', async (req, res) => {
    const values = { status: field(req.body, 'status'), progressNote: field(req.body, 'progressNote') };
    await attempt(
      res,
      async () => {
        await eh.updateAction(req.principal!, (req.params.id as string), (req.params.actionId as string), values, auditContext(req));
        flash(req, 'The action is updated');
        res.redirect(urls.earlyHelp.person((req.params.id as string)));
      },
      (errors) => renderAction(req, res, { values, ...errors }),
    );
  });

  // ----- review and close -----

  const renderReview = async (req: Request, res: Response, extra: object = {}) => {
    const o = await eh.overview(req.principal!, (req.params.id as string), auditContext(req));
    const progress = o.openCase ? progressAgainstPlan(o.actions.filter((a) => a.caseId === o.openCase!.id), o.today) : null;
    res.render('early-help/review.njk', { pageTitle: `Review the plan: ${o.person.name}`, o, progress, values: {}, ...extra });
  };
  router.get('/early-help/people/:id/reviews', (req, res) => renderReview(req, res));
  router.post('/early-help/people/:id/reviews', async (req, res) => {
    const values = { summary: field(req.body, 'summary') };
    await attempt(
      res,
      async () => {
        const r = await eh.recordReview(req.principal!, (req.params.id as string), values, auditContext(req));
        flash(req, `The review is recorded. The next review is due on ${formatDate(r.nextReviewDue)}.`);
        res.redirect(urls.earlyHelp.person((req.params.id as string)));
      },
      (errors) => renderReview(req, res, { values, ...errors }),
    );
  });

  const renderClose = async (req: Request, res: Response, extra: object = {}) => {
    const o = await eh.overview(req.principal!, (req.params.id as string), auditContext(req));
    const teams = await eh.stepTeams();
    res.render('early-help/close.njk', { pageTitle: `Close the plan: ${o.person.name}`, o, outcomes: OUTCOME_LABELS, socialTeams: teams.filter((t) => t.social), universalTeams: teams.filter((t) => !t.social), values: {}, ...extra });
  };
  router.get('/early-help/people/:id/close', (req, res) => renderClose(req, res));
  router.post('/early-help/people/:id/close', async (req, res) => {
    const outcome = field(req.body, 'outcome');
    const values = { outcome, summary: field(req.body, 'summary'), steppedToTeamId: outcome === 'stepped_up' ? field(req.body, 'stepUpTeamId') : outcome === 'stepped_down' ? field(req.body, 'stepDownTeamId') : '' };
    await attempt(
      res,
      async () => {
        await eh.closePlan(req.principal!, (req.params.id as string), values, auditContext(req));
        flash(req, 'The plan is closed and its outcome recorded. Its history stays with the child\'s record.');
        res.redirect(urls.earlyHelp.person((req.params.id as string)));
      },
      async (errors) => {
        const e = errors as { errors: Record<string, unknown>; errorList: Array<{ text: string; href?: string }> };
        if (e.errors.steppedToTeamId) {
          const idOf = outcome === 'stepped_up' ? 'stepUpTeamId' : 'stepDownTeamId';
          e.errors[idOf] = e.errors.steppedToTeamId;
          e.errorList = e.errorList.map((x) => (x.href === '#steppedToTeamId' ? { ...x, href: `#${idOf}` } : x));
        }
        await renderClose(req, res, { values: { ...values, stepUpTeamId: field(req.body, 'stepUpTeamId'), stepDownTeamId: field(req.body, 'stepDownTeamId') }, ...e });
      },
    );
  });

  // ----- meetings -----

  router.get(urls.earlyHelp.meetings(), async (req, res) => {
    const meetings = await eh.meetings(req.principal!);
    res.render('early-help/meetings.njk', { pageTitle: 'Meetings', meetings });
  });

  const renderNewMeeting = async (req: Request, res: Response, extra: object = {}) => {
    const p = req.principal!;
    const [practitioners, legalBases, meetings] = await Promise.all([eh.practitioners(), eh.legalBases(), eh.meetings(p)]);
    const previousId = field(req.query, 'previousMeetingId');
    const previous = meetings.find((m) => m.id === previousId);
    res.render('early-help/meeting-new.njk', {
      pageTitle: 'Set up a meeting',
      kinds: MEETING_KINDS,
      practitioners: practitioners.filter((x) => x.id !== p.userId),
      legalBases,
      previous,
      values: previous
        ? { kind: previous.kind, title: previous.title, location: previous.location, legalBases: previous.legalBases, attendeeIds: previous.attendees.map((a) => a.userId), previousMeetingId: previous.id, heldOn: datePartsOf(nextMeetingDate(previous.kind as MeetingKind, previous.heldOn)) }
        : { legalBases: [], attendeeIds: [] },
      ...extra,
    });
  };
  router.get('/early-help/meetings/new', (req, res) => renderNewMeeting(req, res));
  router.post('/early-help/meetings/new', async (req, res) => {
    const values = { ...meetingInput(req.body), heldOn: {} as object };
    await attempt(
      res,
      async () => {
        const held = dateField(req.body, 'heldOn', 'The date of the meeting');
        values.heldOn = held.parts;
        const { id } = await eh.createMeeting(req.principal!, { ...values, heldOn: held.iso ?? '' }, auditContext(req));
        flash(req, 'The meeting is set up. Add the cases to discuss from each child\'s early help page; attendees prepare their contributions beforehand.');
        res.redirect(urls.earlyHelp.meeting(id));
      },
      (errors) => renderNewMeeting(req, res, { values, ...errors }),
    );
  });

  const renderMeeting = async (req: Request, res: Response, extra: object = {}) => {
    const p = req.principal!;
    const m = await eh.meeting(p, (req.params.id as string), auditContext(req));
    const practitioners = m.may.manage ? await eh.practitioners() : [];
    res.render('early-help/meeting.njk', {
      pageTitle: m.title,
      m,
      charts: m.indicators.map(indicatorChart),
      statuses: ACTION_STATUSES,
      practitioners: practitioners.filter((x) => !m.attendees.some((a) => a.userId === x.id)),
      values: {},
      ...extra,
    });
  };
  router.get('/early-help/meetings/:id', (req, res) => renderMeeting(req, res));

  /** Every form on the meeting page posts to /early-help/meetings/:id/<what> and comes back to the page. */
  const meetingForm = (what: string, run: (req: Request) => Promise<string>) => {
    router.post(`/early-help/meetings/:id/${what}`, async (req, res) => {
      await attempt(
        res,
        async () => {
          flash(req, await run(req));
          res.redirect(urls.earlyHelp.meeting((req.params.id as string)));
        },
        (errors) => renderMeeting(req, res, { values: { form: what, ...req.body }, ...errors }),
      );
    });
  };
  const id = (req: Request) => req.params.id as string;
  meetingForm('attendees', async (req) => {
    await eh.addAttendee(req.principal!, id(req), { userId: field(req.body, 'userId') }, auditContext(req));
    return 'The attendee is added';
  });
  meetingForm('contributions', async (req) => {
    const itemId = field(req.body, 'agendaItemId');
    if (!UUID.test(itemId)) throw new ValidationError({ form: 'Choose a case on the agenda' });
    await eh.contribute(req.principal!, id(req), itemId, { body: field(req.body, `contribution-${itemId}`) }, auditContext(req)).catch((err: unknown) => {
      if (isValidationError(err) && err.fields.body) throw new ValidationError({ [`contribution-${itemId}`]: err.fields.body });
      throw err;
    });
    return 'Your contribution is shared with the attendees';
  });
  meetingForm('decision', async (req) => {
    const itemId = field(req.body, 'agendaItemId');
    if (!UUID.test(itemId)) throw new ValidationError({ form: 'Choose a case on the agenda' });
    await eh.decideItem(req.principal!, id(req), itemId, { decision: field(req.body, `decision-${itemId}`), allocateToUserId: field(req.body, `allocate-${itemId}`) }, auditContext(req)).catch((err: unknown) => {
      if (isValidationError(err)) throw new ValidationError(Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k === 'decision' ? `decision-${itemId}` : k === 'allocateToUserId' ? `allocate-${itemId}` : k, v])));
      throw err;
    });
    return 'The decision is recorded';
  });
  meetingForm('actions', async (req) => {
    const due = dateField(req.body, 'dueOn', 'The date it is due by');
    await eh.addMeetingAction(req.principal!, id(req), { agendaItemId: field(req.body, 'agendaItemId'), description: field(req.body, 'description'), ownerId: field(req.body, 'ownerId'), dueOn: due.iso ?? '' }, auditContext(req));
    return "The action is recorded and is on its owner's task list";
  });
  meetingForm('review', async (req) => {
    const actionId = field(req.body, 'actionId');
    if (!UUID.test(actionId)) throw new ValidationError({ form: 'Choose an action to review' });
    await eh.reviewMeetingAction(req.principal!, id(req), actionId, { subjectId: field(req.body, 'subjectId'), status: field(req.body, `status-${actionId}`), progressNote: field(req.body, `note-${actionId}`) }, auditContext(req)).catch((err: unknown) => {
      if (isValidationError(err) && err.fields.status) throw new ValidationError({ [`status-${actionId}`]: err.fields.status });
      throw err;
    });
    return 'The action is reviewed';
  });
  meetingForm('held', async (req) => {
    await eh.markHeld(req.principal!, id(req), { notes: field(req.body, 'notes') }, auditContext(req));
    return 'The meeting is recorded as held';
  });
  meetingForm('indicators', async (req) => {
    await eh.addIndicator(req.principal!, id(req), { name: field(req.body, 'name'), unit: field(req.body, 'unit'), target: field(req.body, 'target'), higherIsBetter: field(req.body, 'higherIsBetter') }, auditContext(req));
    return 'The indicator is added';
  });
  meetingForm('values', async (req) => {
    const period = dateField(req.body, 'periodEnd', 'The end of the period');
    await eh.recordIndicatorValue(req.principal!, id(req), { indicatorId: field(req.body, 'indicatorId'), periodEnd: period.iso ?? '', value: field(req.body, 'value') }, auditContext(req));
    return 'The value is recorded';
  });

  return router;
}
