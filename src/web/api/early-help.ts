import { z } from 'zod';
import { ASSESSMENT_PAGES } from '../../early-help/domains.ts';
import {
  actionSchema,
  agendaItemSchema,
  attendeeSchema,
  closePlanSchema,
  contributionSchema,
  decisionSchema,
  heldSchema,
  indicatorSchema,
  indicatorValueSchema,
  leadProfessionalSchema,
  meetingActionSchema,
  meetingSchema,
  openPlanSchema,
  reviewActionSchema,
  reviewSchema,
  updateActionSchema,
} from '../../services/early-help-service.ts';
import type { Services } from '../../services/index.ts';
import { auditContext } from '../request-context.ts';
import { within, type ApiRegistry } from './registry.ts';
import { ErrorSchema } from './schemas.ts';

const personParams = z.object({ id: z.uuid('Must be a person id (a UUID)') });
const meetingParams = z.object({ id: z.uuid('Must be a meeting id (a UUID)') });

/** Early help and meetings: a child's plan through the PolicyGate and the early help rules; meetings' contributions to attendees only. */
export function registerEarlyHelpRoutes(registry: ApiRegistry, services: Services): void {
  const eh = services.earlyHelp;
  const tags = ['Early help'];
  const meetingTags = ['Multi-agency meetings'];
  const Created = registry.component('EarlyHelpCreated', z.object({ id: z.uuid() }));
  const Action = registry.component(
    'EarlyHelpAction',
    z
      .object({
        id: z.uuid(),
        subjectId: z.uuid().nullable(),
        caseId: z.uuid().nullable(),
        meetingId: z.uuid().nullable(),
        description: z.string(),
        ownerId: z.uuid(),
        ownerName: z.string(),
        dueOn: z.iso.date(),
        status: z.enum(['not_started', 'in_progress', 'done', 'dropped']),
        overdue: z.boolean(),
      })
      .loose()
      .meta({ description: 'An action: what, who, by when, and its status' }),
  );
  const Overview = registry.component(
    'EarlyHelpOverview',
    z
      .object({
        subjectId: z.uuid(),
        openCase: z.object({ id: z.uuid(), nextReviewDue: z.iso.date(), reviewIntervalDays: z.number().int() }).loose().nullable(),
        cases: z.array(z.object({ id: z.uuid(), status: z.enum(['open', 'closed']), outcome: z.string().nullable() }).loose()),
        assessments: z.array(z.object({ id: z.uuid(), version: z.number().int(), status: z.enum(['draft', 'complete']) }).loose()),
        lead: z.object({ practitionerId: z.uuid().nullable(), practitionerName: z.string().nullable() }).loose().nullable(),
        team: z.array(z.object({ involvementId: z.uuid(), practitionerName: z.string().nullable(), organisationName: z.string(), roleLabel: z.string(), lead: z.boolean() }).loose()),
        actions: z.array(Action),
        overdue: z.array(Action),
        reviews: z.array(z.object({ id: z.uuid(), reviewedOn: z.iso.date(), summary: z.string(), nextReviewDue: z.iso.date() }).loose()),
      })
      .loose()
      .meta({ description: "A child's early help as the team around the family sees it: plans, assessments, lead professional, team, actions and reviews" }),
  );
  const Assessment = registry.component(
    'EarlyHelpAssessment',
    z
      .object({
        id: z.uuid(),
        version: z.number().int(),
        status: z.enum(['draft', 'complete']),
        answers: z.record(z.string(), z.object({ strengths: z.string(), needs: z.string() })),
        childWords: z.string().nullable(),
        familyWords: z.string().nullable(),
        assessmentConsent: z.enum(['given', 'refused']).nullable(),
        assessmentConsentId: z.uuid().nullable(),
        shareConsent: z.enum(['given', 'refused']).nullable(),
        sharingConsentId: z.uuid().nullable(),
        pagesSaved: z.array(z.string()),
        problems: z.array(z.object({ page: z.string(), field: z.string(), message: z.string() })).meta({ description: 'What still stops a draft being completed' }),
      })
      .loose()
      .meta({ description: 'A common assessment: CAF domains with strengths and needs, own words, consent; a completed one is locked' }),
  );
  const MeetingView = registry.component(
    'Meeting',
    z
      .object({
        id: z.uuid(),
        seriesId: z.uuid(),
        kind: z.string(),
        title: z.string(),
        heldOn: z.iso.date(),
        legalBases: z.array(z.string()),
        attendees: z.array(z.object({ userId: z.uuid(), name: z.string(), organisationName: z.string() }).loose()),
        contributionsClosed: z.string().nullable().meta({ description: 'Why contributions are no longer taken (prepared beforehand: closed once the meeting is held or its date has passed), or null' }),
        withheldCases: z.number().int().meta({ description: 'Cases on the agenda not shown to the caller (not attending); each refusal is audited' }),
        agenda: z.array(z.object({ id: z.uuid(), subjectId: z.uuid(), reason: z.string(), decision: z.string().nullable(), contributions: z.array(z.object({ id: z.uuid(), organisationName: z.string(), body: z.string() }).loose()), actions: z.array(Action) }).loose()),
        toReview: z.array(Action),
        areaActions: z.array(Action),
        indicators: z.array(z.object({ id: z.uuid(), name: z.string(), unit: z.string(), values: z.array(z.object({ periodEnd: z.iso.date(), value: z.number() }).loose()) }).loose()),
      })
      .loose()
      .meta({ description: 'A multi-agency meeting as the caller may see it' }),
  );
  const forbidden = { description: 'The policy refused (audited)', schema: ErrorSchema };
  const notFound = { description: 'No such person, record or meeting', schema: ErrorSchema };
  const p = (req: Parameters<Parameters<ApiRegistry['add']>[0]['handler']>[0]['req']) => req.principal!;

  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/early-help',
    operationId: 'getEarlyHelp',
    summary: "A child's early help",
    description: 'For the team around the family (an active involvement) and the MASH on an open enquiry; audited.',
    tags,
    secured: true,
    request: { params: personParams },
    responses: { 200: { description: 'The early help record', schema: Overview }, 403: forbidden, 404: notFound },
    handler: async ({ params, req }) => eh.overview(p(req), params.id, auditContext(req)),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/early-help/plan',
    operationId: 'openEarlyHelpPlan',
    summary: 'Start an early help plan (one open at a time)',
    tags,
    secured: true,
    request: { params: personParams, body: openPlanSchema },
    responses: { 201: { description: 'Started', schema: Created }, 403: forbidden },
    handler: async ({ params, body, req }) => within('body', () => eh.openPlan(p(req), params.id, body, auditContext(req))),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/early-help/assessments',
    operationId: 'startEarlyHelpAssessment',
    summary: 'Start (or resume) a draft assessment',
    description: 'Returns the open draft if there is one; otherwise starts version 1, or the next version copied from the completed one.',
    tags,
    secured: true,
    request: { params: personParams },
    responses: { 201: { description: 'The draft', schema: z.object({ id: z.uuid(), version: z.number().int(), resumed: z.boolean() }) }, 403: forbidden },
    handler: async ({ params, req }) => eh.startAssessment(p(req), params.id, auditContext(req)),
  });

  const assessmentParams = personParams.extend({ assessmentId: z.uuid('Must be an assessment id') });
  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/early-help/assessments/:assessmentId',
    operationId: 'getEarlyHelpAssessment',
    summary: 'An assessment',
    tags,
    secured: true,
    request: { params: assessmentParams },
    responses: { 200: { description: 'The assessment', schema: Assessment }, 403: forbidden, 404: notFound },
    handler: async ({ params, req }) => eh.assessment(p(req), params.id, params.assessmentId, auditContext(req)),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/early-help/assessments/:assessmentId/pages/:page',
    operationId: 'saveEarlyHelpAssessmentPage',
    summary: 'Save one page of a draft assessment',
    description:
      `Pages: ${ASSESSMENT_PAGES.join(', ')}. consent: assessmentConsent, givenBy, givenByName, shareConsent (consent to the assessment and consent to share are each recorded through the consent service, purpose early_help). ` +
      'development, parenting, family: answers { element: { strengths, needs } }. words: childWords, familyWords. A completed assessment is locked (400).',
    tags,
    secured: true,
    request: { params: assessmentParams.extend({ page: z.enum(ASSESSMENT_PAGES) }), body: z.record(z.string(), z.unknown()) },
    responses: { 200: { description: 'Saved', schema: Assessment }, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req }) => {
      await within('body', () => eh.saveAssessmentPage(p(req), params.id, params.assessmentId, params.page, body, auditContext(req)));
      return eh.assessment(p(req), params.id, params.assessmentId, auditContext(req));
    },
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/early-help/assessments/:assessmentId/complete',
    operationId: 'completeEarlyHelpAssessment',
    summary: 'Complete and lock a draft assessment',
    description: 'Refused (400, each missing part named as page.field) until consent is recorded, every domain has a strength or need, and the child\'s and family\'s words are recorded.',
    tags,
    secured: true,
    request: { params: assessmentParams },
    responses: { 200: { description: 'Completed', schema: Assessment }, 403: forbidden, 404: notFound },
    handler: async ({ params, req }) => {
      await eh.completeAssessment(p(req), params.id, params.assessmentId, auditContext(req));
      return eh.assessment(p(req), params.id, params.assessmentId, auditContext(req));
    },
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/early-help/lead-professional',
    operationId: 'nameLeadProfessional',
    summary: 'Name the lead professional, or hand over to a new one',
    description: 'By the lead professional, or a team manager in the team (anyone in the team when there is none yet). Ends the old lead_professional involvement and starts the new one.',
    tags,
    secured: true,
    request: { params: personParams, body: leadProfessionalSchema },
    responses: { 204: { description: 'Handed over' }, 403: forbidden },
    handler: async ({ params, body, req, res }) => {
      await within('body', () => eh.nameLeadProfessional(p(req), params.id, body, auditContext(req)));
      res.status(204).end();
    },
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/early-help/actions',
    operationId: 'addEarlyHelpAction',
    summary: 'Add an action to the plan',
    tags,
    secured: true,
    request: { params: personParams, body: actionSchema },
    responses: { 201: { description: 'Added', schema: Created }, 403: forbidden },
    handler: async ({ params, body, req }) => within('body', () => eh.addAction(p(req), params.id, body, auditContext(req))),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/early-help/actions/:actionId',
    operationId: 'updateEarlyHelpAction',
    summary: "Update an action's status",
    description: 'By its owner, the lead professional, or a team manager in the team.',
    tags,
    secured: true,
    request: { params: personParams.extend({ actionId: z.uuid() }), body: updateActionSchema },
    responses: { 204: { description: 'Updated' }, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req, res }) => {
      await within('body', () => eh.updateAction(p(req), params.id, params.actionId, body, auditContext(req)));
      res.status(204).end();
    },
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/early-help/reviews',
    operationId: 'recordEarlyHelpReview',
    summary: 'Record a review of the plan',
    description: "Keeps each action's progress against the plan as it stood, and sets the next review the plan's interval on.",
    tags,
    secured: true,
    request: { params: personParams, body: reviewSchema },
    responses: { 201: { description: 'Recorded', schema: z.object({ id: z.uuid(), nextReviewDue: z.iso.date() }) }, 403: forbidden },
    handler: async ({ params, body, req }) => within('body', () => eh.recordReview(p(req), params.id, body, auditContext(req))),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/early-help/close',
    operationId: 'closeEarlyHelpPlan',
    summary: 'Close the plan with its outcome (stepping up or down names the receiving team)',
    tags,
    secured: true,
    request: { params: personParams, body: closePlanSchema },
    responses: { 204: { description: 'Closed' }, 403: forbidden },
    handler: async ({ params, body, req, res }) => {
      await within('body', () => eh.closePlan(p(req), params.id, body, auditContext(req)));
      res.status(204).end();
    },
  });

  registry.add({
    method: 'get',
    path: '/api/v1/early-help/tasks',
    operationId: 'myEarlyHelpTasks',
    summary: "The caller's task list: the early help plans they are part of, and their open actions from plans and meetings",
    tags,
    secured: true,
    responses: { 200: { description: 'Plans the caller is part of, and their open actions, soonest first', schema: z.object({ plans: z.array(z.object({ subjectId: z.uuid(), caseId: z.uuid(), nextReviewDue: z.iso.date(), lead: z.boolean(), personName: z.string() }).loose()), personal: z.array(Action), area: z.array(Action), today: z.iso.date() }) } },
    handler: async ({ req }) => eh.tasks(p(req), auditContext(req)),
  });

  // ----- meetings -----

  registry.add({
    method: 'get',
    path: '/api/v1/meetings',
    operationId: 'listMeetings',
    summary: 'Meetings the caller attends, chairs, or their organisation hosts',
    tags: meetingTags,
    secured: true,
    responses: { 200: { description: 'Newest first', schema: z.object({ meetings: z.array(MeetingView) }) } },
    handler: async ({ req }) => ({ meetings: await eh.meetings(p(req)) }),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/meetings',
    operationId: 'createMeeting',
    summary: 'Set up a meeting: kind, date, legal basis, attendees (optionally continuing a series)',
    tags: meetingTags,
    secured: true,
    request: { body: meetingSchema },
    responses: { 201: { description: 'Set up', schema: Created }, 403: forbidden },
    handler: async ({ body, req }) => within('body', () => eh.createMeeting(p(req), body, auditContext(req))),
  });

  registry.add({
    method: 'get',
    path: '/api/v1/meetings/:id',
    operationId: 'getMeeting',
    summary: 'A meeting: agenda of cases with contributions (attendees only), decisions, actions, actions to review, action plan and indicators',
    tags: meetingTags,
    secured: true,
    request: { params: meetingParams },
    responses: { 200: { description: 'The meeting', schema: MeetingView }, 403: forbidden, 404: notFound },
    handler: async ({ params, req }) => eh.meeting(p(req), params.id, auditContext(req)),
  });

  const post = <B extends z.ZodType>(path: string, operationId: string, summary: string, body: B, run: (req: Parameters<typeof p>[0], id: string, extra: Record<string, string>, body: z.output<B>) => Promise<unknown>, params = meetingParams as z.ZodObject) => {
    registry.add({
      method: 'post',
      path,
      operationId,
      summary,
      tags: meetingTags,
      secured: true,
      request: { params, body },
      responses: { 200: { description: 'Done', schema: z.object({ id: z.uuid().optional() }).loose() }, 403: forbidden, 404: notFound },
      handler: async ({ params: pr, body: b, req }) => {
        const all = pr as Record<string, string>;
        return (await within('body', () => run(req, all.id!, all, b))) ?? {};
      },
    });
  };
  post('/api/v1/meetings/:id/attendees', 'addMeetingAttendee', 'Add an attendee', attendeeSchema, (req, id, _x, b) => eh.addAttendee(p(req), id, b, auditContext(req)));
  post('/api/v1/meetings/:id/agenda', 'addAgendaItem', 'Put a case on the agenda', agendaItemSchema, (req, id, _x, b) => eh.addAgendaItem(p(req), id, b, auditContext(req)));
  const itemParams = meetingParams.extend({ itemId: z.uuid() });
  post('/api/v1/meetings/:id/agenda/:itemId/contributions', 'addContribution', "Prepare your agency's contribution about a case (shared with attendees only)", contributionSchema, (req, id, x, b) => eh.contribute(p(req), id, x.itemId!, b, auditContext(req)), itemParams);
  post('/api/v1/meetings/:id/agenda/:itemId/decision', 'recordMeetingDecision', 'Record what the meeting decided about a case (a locality hub may allocate a lead professional)', decisionSchema, (req, id, x, b) => eh.decideItem(p(req), id, x.itemId!, b, auditContext(req)), itemParams);
  post('/api/v1/meetings/:id/actions', 'addMeetingAction', 'Add an action (about a case on the agenda, or to an area action plan)', meetingActionSchema, (req, id, _x, b) => eh.addMeetingAction(p(req), id, b, auditContext(req)));
  post('/api/v1/meetings/:id/actions/:actionId/review', 'reviewMeetingAction', "Review an action agreed at the series' previous meeting", reviewActionSchema, (req, id, x, b) => eh.reviewMeetingAction(p(req), id, x.actionId!, b, auditContext(req)), meetingParams.extend({ actionId: z.uuid() }));
  post('/api/v1/meetings/:id/held', 'markMeetingHeld', 'Record the meeting as held, with notes', heldSchema, (req, id, _x, b) => eh.markHeld(p(req), id, b, auditContext(req)));
  post('/api/v1/meetings/:id/indicators', 'addMeetingIndicator', "Add a performance indicator to an area meeting's series", indicatorSchema, (req, id, _x, b) => eh.addIndicator(p(req), id, b, auditContext(req)));
  post('/api/v1/meetings/:id/indicators/values', 'recordIndicatorValue', "Record an indicator's value for a period", indicatorValueSchema, (req, id, _x, b) => eh.recordIndicatorValue(p(req), id, b, auditContext(req)));
}
