import { z } from 'zod';
import { DECLINE_CONSIDERATIONS } from '../../front-door/research-rules.ts';
import {
  decisionSchema,
  declineSchema,
  feedbackSchema,
  intakeSchema,
  matchSchema,
  periodSchema,
  policeBatchSchema,
  QUALITIES,
  rateSchema,
  referrerToldSchema,
  researchSchema,
  respondSchema,
  signOffSchema,
  SOURCES,
  timescalesSchema,
  type ContactView,
  type ResearchView,
} from '../../services/front-door-service.ts';
import type { Services } from '../../services/index.ts';
import { auditContext } from '../request-context.ts';
import type { ApiRegistry } from './registry.ts';
import { within } from './registry.ts';
import { ErrorSchema } from './schemas.ts';

const timestamp = () => z.iso.datetime();
const Code = z.object({ code: z.string(), label: z.string() });
const TimescaleSchema = z.object({ rating: z.string(), hours: z.number().int(), warnHours: z.number().int().meta({ description: 'Warn this many hours before the end' }) });

function registerFrontDoorSchemas(registry: ApiRegistry) {
  const Clock = registry.component(
    'FrontDoorClock',
    z.object({
      state: z.enum(['unrated', 'running', 'warning', 'breached', 'met', 'missed']),
      dueAt: timestamp().nullable(),
      remainingMs: z.number().nullable().meta({ description: 'Milliseconds left (negative when overdue); at the decision for a decided contact' }),
      fraction: z.number(),
      elapsedMs: z.number(),
      text: z.string(),
    }),
  );
  const Person = z.object({
    id: z.uuid(),
    role: z.enum(['child', 'adult', 'unborn']),
    givenNames: z.string(),
    familyName: z.string(),
    dateOfBirth: z.string().nullable(),
    postcode: z.string().nullable(),
    relationship: z.string().nullable(),
    subjectId: z.uuid().nullable().meta({ description: 'The person record once matched' }),
    enquiryId: z.uuid().nullable().meta({ description: 'The MASH enquiry opened on them while the contact is in the hub' }),
  });
  const Decision = z.object({
    level: z.string(),
    outcome: z.string(),
    rationale: z.string(),
    advice: z.string().nullable(),
    serviceId: z.string().nullable(),
    serviceName: z.string().nullable(),
    leadProfessional: z.string().nullable(),
    decidedBy: z.uuid(),
    decidedAt: timestamp(),
    signOff: z.enum(['pending', 'approved', 'returned']),
    signedOffBy: z.uuid().nullable(),
    signedOffAt: timestamp().nullable(),
    managerComment: z.string().nullable(),
    referrerToldAt: timestamp().nullable(),
    referrerToldHow: z.string().nullable(),
  });
  const Contact = registry.component(
    'FrontDoorContact',
    z.object({
      id: z.uuid(),
      reference: z.string(),
      source: z.enum(SOURCES),
      status: z.enum(['new', 'in_hub', 'awaiting_sign_off', 'decided']),
      receivedAt: timestamp(),
      referrerName: z.string(),
      referrerOrganisation: z.string().nullable(),
      summary: z.string(),
      categories: z.array(z.string()),
      familyKnows: z.string(),
      referrerUrgency: z.string(),
      rating: z.enum(['red', 'amber', 'green']).nullable(),
      dueAt: timestamp().nullable(),
      decidedAt: timestamp().nullable(),
      reReferral: z.boolean(),
      legalBases: z.array(z.string()).meta({ description: "The hub's legal basis for the enquiry (codes of the legal_basis list), chosen when the contact was rated; empty before" }),
      previousContactId: z.uuid().nullable(),
      previousOutcome: z.string().nullable().meta({ description: 'The outcome of the earlier contact within twelve months, for a re-referral' }),
      persons: z.array(Person),
      decision: Decision.nullable(),
      feedback: z.object({ quality: z.enum(QUALITIES), comments: z.string(), givenAt: timestamp() }).nullable(),
      clock: Clock,
    }),
  );
  const ResearchItem = z.object({
    category: z.string(),
    summary: z.string(),
    linkedRecordKind: z.string().nullable(),
    linkedRecordId: z.string().nullable(),
    withheldFromFamily: z.boolean().meta({ description: 'Must not be disclosed to the family' }),
    withheldReason: z.string().nullable(),
  });
  const Research = registry.component(
    'FrontDoorResearch',
    z.object({
      id: z.uuid(),
      subjectId: z.uuid(),
      agencyOrganisationId: z.uuid(),
      agencyName: z.string(),
      question: z.string(),
      sentIdentity: z.object({ givenNames: z.string(), familyName: z.string(), dateOfBirth: z.string().nullable(), postcode: z.string().nullable() }),
      requestedAt: timestamp(),
      dueAt: timestamp(),
      legalBases: z.array(z.string()).meta({ description: "The hub's legal basis for the enquiry when the agency was asked (codes of the legal_basis list)" }),
      status: z.enum(['open', 'answered', 'declined']),
      nothingHeld: z.boolean().nullable(),
      decline: z
        .object({
          consideration: z.enum(DECLINE_CONSIDERATIONS),
          reason: z.string(),
          askInstead: z.string().nullable().meta({ description: 'Whom the hub should ask instead' }),
          askAgainOn: z.iso.date().nullable().meta({ description: 'When the hub may ask again' }),
        })
        .nullable()
        .meta({ description: 'The agency holds information but declined to share it (a recorded decision not to share), and why' }),
      respondedAt: timestamp().nullable(),
      late: z.boolean().optional(),
      items: z.array(ResearchItem).nullable().meta({ description: 'Null when the answer is withheld from the caller (see withheld)' }),
      withheld: z.string().nullable().optional(),
    }),
  );
  const ContactDetail = registry.component('FrontDoorContactDetail', Contact.extend({ research: z.array(Research) }));
  const Queue = registry.component('FrontDoorQueue', z.object({ contacts: z.array(Contact.extend({ openResearch: z.number().int() })) }));
  const Timescales = registry.component(
    'FrontDoorTimescales',
    z.object({ red: TimescaleSchema, amber: TimescaleSchema, green: TimescaleSchema }),
  );
  const CountRow = z.object({ key: z.string(), label: z.string(), count: z.number().int() });
  const Dashboard = registry.component(
    'FrontDoorDashboard',
    z.object({
      from: z.iso.date(),
      to: z.iso.date(),
      total: z.number().int(),
      bySource: z.array(CountRow),
      byCategory: z.array(CountRow),
      byRating: z.array(CountRow),
      timeliness: z.array(CountRow),
      byOutcome: z.array(CountRow),
      reReferrals: z.array(CountRow),
      quality: z.array(z.object({ agency: z.string(), good: z.number().int(), adequate: z.number().int(), poor: z.number().int(), total: z.number().int() })),
      research: z
        .array(z.object({ agency: z.string(), asked: z.number().int(), answered: z.number().int(), declined: z.number().int(), open: z.number().int() }))
        .meta({ description: 'Research requests on contacts received in the period, by agency: answered, declined (a decision not to share) and open' }),
    }),
  );
  const ImportResult = registry.component(
    'PoliceNotificationImport',
    z.object({
      received: z.number().int(),
      accepted: z.array(z.object({ row: z.number().int(), reference: z.string(), contactId: z.uuid() })),
      unchanged: z.array(z.object({ row: z.number().int(), reference: z.string(), contactId: z.uuid() })).meta({ description: 'Sent before (same force and police reference): kept once' }),
      refused: z.array(z.object({ row: z.number().int().meta({ description: 'The notification\'s place in the batch, from 1' }), column: z.string().meta({ description: 'The field at fault, e.g. persons.0.dateOfBirth' }), message: z.string() })),
    }),
  );
  return { Contact, ContactDetail, Queue, Research, Timescales, Dashboard, ImportResult };
}

const clockJson = (v: { clock: ContactView['clock']; clockText: string }) => ({ ...v.clock, text: v.clockText });
const researchJson = (r: ResearchView) => ({ ...r });

export function registerFrontDoorRoutes(registry: ApiRegistry, services: Services): void {
  const s = registerFrontDoorSchemas(registry);
  const fd = services.frontDoor;
  const tags = ['Front door (MASH)'];
  const contactParams = z.object({ id: z.uuid('Must be a contact id (a UUID)') });
  const personParams = contactParams.extend({ personId: z.uuid('Must be the id of a person named on the contact') });
  const researchParams = z.object({ subjectId: z.uuid(), id: z.uuid('Must be a research request id (a UUID)') });
  const forbidden = { description: 'The policy does not allow it (the reason is given)', schema: ErrorSchema };
  const notFound = { description: 'No such contact in your hub', schema: ErrorSchema };
  const detail = async (req: Parameters<Parameters<ApiRegistry['add']>[0]['handler']>[0]['req'], id: string) => {
    const v = await fd.view(req.principal!, id, auditContext(req));
    return { ...v.contact, clock: clockJson(v), research: v.research.map(researchJson) };
  };

  registry.add({
    method: 'get',
    path: '/api/v1/front-door/reference-data',
    operationId: 'frontDoorReferenceData',
    summary: 'Code lists for contacts: categories of concern, ratings, levels of need, outcomes, hubs',
    tags,
    secured: true,
    responses: { 200: { description: 'The code lists', schema: z.object({ categories: z.array(Code), ratings: z.array(Code), levels: z.array(Code), outcomes: z.array(Code), hubs: z.array(z.object({ id: z.uuid(), name: z.string() })) }) } },
    handler: async () => ({ ...(await fd.codeLists()), hubs: await fd.hubs() }),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/front-door/contacts',
    operationId: 'createFrontDoorContact',
    summary: 'Refer a concern to the hub',
    description:
      'A professional referral: the caller is the referrer. Names the children and adults concerned, the categories of concern, what the family know and have agreed to, and the referrer\'s view of urgency. ' +
      'A MASH officer of the hub may record a call from a member of the public (source "public", with the caller\'s name).',
    tags,
    secured: true,
    request: { body: intakeSchema },
    responses: { 201: { description: 'Received', schema: z.object({ id: z.uuid(), reference: z.string() }) }, 403: forbidden },
    handler: async ({ req, res }) => {
      const made = await within('body', () => fd.intake(req.principal!, req.body, auditContext(req)));
      res.status(201).location(`/api/v1/front-door/contacts/${made.id}`).json(made);
    },
  });

  registry.add({
    method: 'post',
    path: '/api/v1/front-door/police-notifications',
    operationId: 'importPoliceNotifications',
    summary: 'Send a batch of police notifications to the hub',
    description:
      'From a police force\'s system. Each notification is checked on its own: good ones become contacts, bad ones are refused with the row (place in the batch, from 1) and the column (field). ' +
      'A notification sent again (same force and reference) is not recorded twice, so a batch can be resent safely.',
    tags,
    secured: true,
    request: { body: policeBatchSchema },
    responses: { 200: { description: 'What was accepted, already held and refused', schema: s.ImportResult }, 403: forbidden },
    handler: async ({ req }) => within('body', () => fd.importPoliceNotifications(req.principal!, req.body, auditContext(req))),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/front-door/police-notifications/csv',
    operationId: 'importPoliceNotificationsCsv',
    summary: 'Send police notifications to the hub as a CSV file',
    description:
      'The body is the file (`text/csv`), header row first: `reference`, `officer`, `occurred_at`, `categories` (codes separated by spaces), `summary`, `family_knows`, `urgency`, and for up to four people ' +
      '`person1_role`, `person1_given_names`, `person1_family_name`, `person1_date_of_birth`, `person1_postcode`, `person1_relationship` … `person4_…`. ' +
      'Each problem names the file\'s row (the header is row 1) and column. Good rows are kept; a reference already held is not recorded twice. Up to 500 rows.',
    tags,
    secured: true,
    request: { query: z.object({ hubOrganisationId: z.uuid('Must be the hub\'s organisation id').optional() }) },
    responses: { 200: { description: 'What was accepted, already held and refused', schema: s.ImportResult }, 403: forbidden, 415: { description: 'The body must be text/csv', schema: ErrorSchema } },
    handler: async ({ query, req, res }) => {
      if (!req.is('text/csv')) {
        res.status(415).json({ error: { code: 'unsupported_media_type', message: 'Send the file as text/csv', requestId: req.requestId } });
        return;
      }
      return fd.importPoliceNotificationsCsv(req.principal!, req, query.hubOrganisationId, auditContext(req));
    },
  });

  registry.add({
    method: 'get',
    path: '/api/v1/front-door/queue',
    operationId: 'frontDoorQueue',
    summary: "The hub's open contacts, each with its clock",
    description: 'Overdue first, then by what is due soonest, then contacts not yet rated by arrival. Hub staff only.',
    tags,
    secured: true,
    responses: { 200: { description: 'Open contacts', schema: s.Queue }, 403: forbidden },
    handler: async ({ req }) => ({
      contacts: (await fd.queue(req.principal!, auditContext(req))).map((i) => ({ ...i.contact, clock: clockJson(i), openResearch: i.openResearch })),
    }),
  });

  registry.add({
    method: 'get',
    path: '/api/v1/front-door/contacts/:id',
    operationId: 'getFrontDoorContact',
    summary: 'One contact, with its research',
    description: "Research answers are read through the access policy on the hub's enquiry basis (audited on each person's record); what the caller's basis does not open is withheld, with why.",
    tags,
    secured: true,
    request: { params: contactParams },
    responses: { 200: { description: 'The contact', schema: s.ContactDetail }, 403: forbidden, 404: notFound },
    handler: async ({ params, req }) => detail(req, params.id),
  });

  registry.add({
    method: 'get',
    path: '/api/v1/front-door/contacts/:id/people/:personId/candidates',
    operationId: 'frontDoorMatchCandidates',
    summary: 'Likely existing people for one person named',
    description: 'The people search (audited as a search), by the name and date of birth given.',
    tags,
    secured: true,
    request: { params: personParams },
    responses: { 200: { description: 'Candidates, best first', schema: z.object({ candidates: z.array(z.object({ subjectId: z.uuid(), givenNames: z.string(), familyName: z.string(), dateOfBirth: z.string().nullable(), score: z.number(), why: z.array(z.string()) }).loose()) }) }, 403: forbidden, 404: notFound },
    handler: async ({ params, req }) => ({ candidates: await fd.candidates(req.principal!, params.id, params.personId, auditContext(req)) }),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/front-door/contacts/:id/people/:personId/match',
    operationId: 'matchFrontDoorPerson',
    summary: 'Match a person named to a person record, or record them as new',
    description: 'While the contact is in the hub, a MASH enquiry is opened on them. A decided contact about them in the twelve months before makes this a re-referral.',
    tags,
    secured: true,
    request: { params: personParams, body: matchSchema },
    responses: { 200: { description: 'Matched', schema: s.ContactDetail }, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req }) => {
      await within('body', () => fd.match(req.principal!, params.id, params.personId, body, auditContext(req)));
      return detail(req, params.id);
    },
  });

  const action = (path: string, operationId: string, summary: string, description: string, schema: z.ZodType, run: (p: NonNullable<Express.Request['principal']>, id: string, body: unknown, ctx: ReturnType<typeof auditContext>) => Promise<unknown>) =>
    registry.add({
      method: 'post',
      path: `/api/v1/front-door/contacts/:id/${path}`,
      operationId,
      summary,
      description,
      tags,
      secured: true,
      request: { params: contactParams, body: schema },
      responses: { 200: { description: 'Done: the contact as it is now', schema: s.ContactDetail }, 403: forbidden, 404: notFound },
      handler: async ({ params, body, req }) => {
        await within('body', () => run(req.principal!, params.id, body, auditContext(req)));
        return detail(req, params.id);
      },
    });

  action('rating', 'rateFrontDoorContact', 'Rate a contact red, amber or green', "Takes the contact into the hub under the legal basis chosen (`legalBases`, codes of the legal_basis list: at least one UK GDPR article 6 basis; research later needs an article 9 condition to ask health and a DPA 2018 schedule 1 condition to ask police, probation or youth justice): the rating's timescale runs from its arrival, and enquiries open on the people matched.", rateSchema, (p, id, b, c) => fd.rate(p, id, b, c));
  action(
    'research',
    'requestFrontDoorResearch',
    'Ask agencies what they hold about one person',
    'Sends each agency the name, date of birth and postcode the hub holds (a share under the enquiry, audited), the question, and the timescale of the contact.',
    researchSchema,
    (p, id, b, c) => fd.requestResearch(p, id, b, c),
  );
  action(
    'decision',
    'recordFrontDoorDecision',
    'Record the threshold decision',
    'Level of need, rationale and outcome (no further action with advice, signposting to a service from the directory by id and name, early help with a lead professional, a social care assessment, a strategy discussion). A manager who is not the decider signs it off.',
    decisionSchema,
    (p, id, b, c) => fd.decide(p, id, b, c),
  );
  action(
    'sign-off',
    'signOffFrontDoorDecision',
    'Sign off (or return) the threshold decision',
    'A team manager of the hub who did not make the decision. Signing off stops the clock, closes the enquiries and tells a referrer who uses the system the outcome.',
    signOffSchema,
    (p, id, b, c) => fd.signOff(p, id, b, c),
  );
  action('referrer-told', 'recordFrontDoorReferrerTold', 'Record that the referrer was told the outcome', 'For referrers who are not users of the system (the public, police officers).', referrerToldSchema, (p, id, b, c) =>
    fd.recordReferrerTold(p, id, b, c),
  );
  action('feedback', 'giveFrontDoorFeedback', 'Feed back on the quality of the referral', "The referring agency's managers and the referrer are notified.", feedbackSchema, (p, id, b, c) => fd.feedback(p, id, b, c));

  registry.add({
    method: 'get',
    path: '/api/v1/front-door/research',
    operationId: 'frontDoorResearchInbox',
    summary: "Research requests to the caller's agency",
    tags,
    secured: true,
    responses: { 200: { description: 'Open first, by when due', schema: z.object({ requests: z.array(s.Research) }) }, 403: forbidden },
    handler: async ({ req }) => ({ requests: (await fd.researchInbox(req.principal!, auditContext(req))).map(({ contactId: _c, contactPersonId: _p, ...r }) => r) }),
  });

  registry.add({
    method: 'get',
    path: '/api/v1/front-door/research/:subjectId/:id',
    operationId: 'getFrontDoorResearch',
    summary: 'One research request, as the agency asked sees it',
    description: "What the hub sent to find the person, the question, and the agency's own records linked to that person. Audited on the person's record.",
    tags,
    secured: true,
    request: { params: researchParams },
    responses: { 200: { description: 'The request', schema: z.object({ request: s.Research, linkedRecords: z.array(z.object({ kind: z.string(), sourceRecordId: z.string(), description: z.string() })) }) }, 403: forbidden, 404: notFound },
    handler: async ({ params, req }) => fd.researchRequest(req.principal!, params.subjectId, params.id, auditContext(req)),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/front-door/research/:subjectId/:id/response',
    operationId: 'answerFrontDoorResearch',
    summary: 'Answer a research request',
    description:
      "What the agency holds (its own case category unless another is given), each item optionally naming one of its records linked to the person (`kind:id`), and marked when it must not be disclosed to the family, with why. Or that it holds nothing.",
    tags,
    secured: true,
    request: { params: researchParams, body: respondSchema },
    responses: { 200: { description: 'Answered', schema: z.object({ answered: z.literal(true) }) }, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req }) => {
      await within('body', () => fd.respond(req.principal!, params.subjectId, params.id, body, auditContext(req)));
      return { answered: true as const };
    },
  });

  registry.add({
    method: 'post',
    path: '/api/v1/front-door/research/:subjectId/:id/decline',
    operationId: 'declineFrontDoorResearch',
    summary: 'Decline to share what the agency holds',
    description:
      `The agency holds information about the person but will not share it with the hub: a decision not to share, recorded with the legal consideration (\`${DECLINE_CONSIDERATIONS.join('`, `')}\`), the reason (at least 20 characters), and optionally whom the hub should ask instead and when it may ask again (a future date). ` +
      "The request counts as answered (no overdue notice); the hub sees the decline and its reason. Audited on the person's record as a decision not to share.",
    tags,
    secured: true,
    request: { params: researchParams, body: declineSchema },
    responses: { 200: { description: 'Declined', schema: z.object({ declined: z.literal(true) }) }, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req }) => {
      await within('body', () => fd.decline(req.principal!, params.subjectId, params.id, body, auditContext(req)));
      return { declined: true as const };
    },
  });

  registry.add({
    method: 'get',
    path: '/api/v1/front-door/referrals/feedback',
    operationId: 'frontDoorReferralFeedback',
    summary: "The hubs' feedback on the caller's agency's referrals",
    tags,
    secured: true,
    responses: { 200: { description: 'Newest first', schema: z.object({ feedback: z.array(z.object({ reference: z.string(), receivedAt: timestamp(), referrerName: z.string(), quality: z.enum(QUALITIES), comments: z.string(), givenAt: timestamp(), hubName: z.string() })) }) } },
    handler: async ({ req }) => ({ feedback: await fd.referralFeedback(req.principal!, auditContext(req)) }),
  });

  registry.add({
    method: 'get',
    path: '/api/v1/front-door/timescales',
    operationId: 'frontDoorTimescales',
    summary: "The caller's hub's timescales",
    tags,
    secured: true,
    responses: { 200: { description: 'Hours for each rating and the warning before its end', schema: s.Timescales } },
    handler: async ({ req }) => fd.timescales(req.principal!),
  });

  registry.add({
    method: 'put',
    path: '/api/v1/front-door/timescales',
    operationId: 'setFrontDoorTimescales',
    summary: "Set the hub's timescales",
    description: 'A team manager of the hub. Whole hours; each warning shorter than its timescale; red no longer than amber, amber no longer than green.',
    tags,
    secured: true,
    request: { body: timescalesSchema },
    responses: { 200: { description: 'The timescales now', schema: s.Timescales }, 403: forbidden },
    handler: async ({ req }) => within('body', () => fd.setTimescales(req.principal!, req.body, auditContext(req))),
  });

  registry.add({
    method: 'get',
    path: '/api/v1/front-door/dashboard',
    operationId: 'frontDoorDashboard',
    summary: "The hub's dashboard over a period",
    description: 'Contacts received from `from` to `to` (inclusive; the last 30 days by default) by source and category, rating mix, decisions within timescale, outcomes, re-referrals and referral quality by agency.',
    tags,
    secured: true,
    request: { query: periodSchema },
    responses: { 200: { description: 'The counts', schema: s.Dashboard }, 403: forbidden },
    handler: async ({ req }) => {
      const d = await within('query', () => fd.dashboard(req.principal!, req.query, auditContext(req)));
      return { from: d.from, to: d.to, ...d.dashboard };
    },
  });
}
