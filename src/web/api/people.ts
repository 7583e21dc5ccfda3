import { z } from 'zod';
import { DATA_CATEGORIES, type Basis } from '../../policy/access-policy.ts';
import type { Services } from '../../services/index.ts';
import {
  breakGlassSchema,
  createPersonSchema,
  endInvolvementSchema,
  householdMemberSchema,
  householdSchema,
  involvementSchema,
  leaveHouseholdSchema,
  LikelyMatchesError,
  relationshipSchema,
} from '../../services/person-service.ts';
import { ValidationError } from '../../services/principal.ts';
import { auditContext } from '../request-context.ts';
import { within, type ApiRegistry } from './registry.ts';
import { ErrorSchema } from './schemas.ts';

const BASES = [
  'relationship',
  'recorded-by',
  'own-organisation',
  'mash-enquiry',
  'disclosure',
  'break-glass',
  'lead-professional',
  'information-governance',
  'contact-minimum',
  'new-record',
  'none',
] as const satisfies readonly Basis[];
// Every basis the policy can give is in the API's list (this fails to compile when one is added).
const _everyBasis: Record<Exclude<Basis, (typeof BASES)[number]>, never> = {};
void _everyBasis;

const isoDate = () => z.iso.date();
const timestamp = () => z.iso.datetime();

/** The person and API shapes, registered as named components of the OpenAPI document. */
export function registerPeopleSchemas(registry: ApiRegistry) {
  const DataCategory = registry.component(
    'DataCategory',
    z.enum(DATA_CATEGORIES).meta({ description: 'A category of information about a person; the access policy decides category by category' }),
  );
  const Basis = registry.component(
    'AccessBasis',
    z.enum(BASES).meta({ description: 'Why the caller may see what they see: the strongest basis that applied' }),
  );
  const Withheld = registry.component(
    'Withheld',
    z.object({ category: DataCategory, reason: z.string().meta({ description: 'Why it was withheld, and what to do instead' }) }),
  );
  const PersonName = registry.component(
    'PersonName',
    z.object({ id: z.uuid(), kind: z.enum(['current', 'previous', 'alias', 'preferred', 'birth']), givenNames: z.string(), familyName: z.string() }),
  );
  const PersonIdentifier = registry.component(
    'PersonIdentifier',
    z.object({
      id: z.uuid(),
      scheme: z.enum(['nhs_number', 'upn', 'local']),
      value: z.string(),
      organisationId: z.uuid().nullable().meta({ description: 'Whose local id this is (local ids only)' }),
      organisationName: z.string().nullable(),
    }),
  );
  const Address = registry.component(
    'Address',
    z.object({
      id: z.uuid(),
      line1: z.string(),
      line2: z.string().nullable(),
      town: z.string().nullable(),
      postcode: z.string(),
      fromDate: isoDate().nullable(),
      toDate: isoDate().nullable().meta({ description: 'Null for the current address' }),
    }),
  );
  const dobPrecision = z.enum(['exact', 'estimated', 'expected', 'unknown']);
  const Person = registry.component(
    'Person',
    z
      .object({
        subjectId: z.uuid(),
        sex: z.enum(['female', 'male', 'unknown', 'not_specified']),
        gender: z.string().nullable(),
        dateOfBirth: isoDate().nullable(),
        dobPrecision,
        shielded: z.boolean(),
        deceased: z.boolean(),
        dateOfDeath: isoDate().nullable(),
        createdAt: timestamp(),
        names: z.array(PersonName),
        identifiers: z.array(PersonIdentifier),
      })
      .meta({ description: 'A person\'s identity in full' }),
  );
  const ContactMinimumIdentity = registry.component(
    'ContactMinimumIdentity',
    z
      .object({ subjectId: z.uuid(), names: z.array(PersonName), dateOfBirth: isoDate().nullable(), dobPrecision })
      .meta({ description: 'Only the current name and date of birth: what the contact minimum shows' }),
  );
  const Relationship = registry.component(
    'Relationship',
    z.object({
      id: z.uuid(),
      pairId: z.uuid(),
      subjectId: z.uuid(),
      relatedSubjectId: z.uuid(),
      type: z.string().meta({ description: 'The subject is the <type> of the related person, e.g. parent' }),
      label: z.string(),
      inverseLabel: z.string(),
      parental: z.boolean(),
      fromDate: isoDate().nullable(),
      toDate: isoDate().nullable(),
      related: z.object({
        givenNames: z.string(),
        familyName: z.string(),
        dateOfBirth: isoDate().nullable(),
        dobPrecision: z.string(),
        sex: z.string(),
        deceased: z.boolean(),
        shielded: z.boolean(),
      }),
    }),
  );
  const HouseholdPeriod = z.object({ fromDate: isoDate().nullable(), toDate: isoDate().nullable().meta({ description: 'Null while they live there' }) });
  const HouseholdMember = registry.component(
    'HouseholdMember',
    z
      .union([
        z.object({
          withheld: z.literal(false),
          subjectId: z.uuid(),
          givenNames: z.string(),
          familyName: z.string(),
          dateOfBirth: isoDate().nullable(),
          dobPrecision: z.string(),
          sex: z.string(),
          deceased: z.boolean(),
          shielded: z.boolean(),
          current: z.boolean().meta({ description: 'They live there now' }),
          periods: z.array(HouseholdPeriod).meta({ description: 'When they lived there, oldest first' }),
        }),
        z.object({
          withheld: z.literal(true),
          reason: z.string().meta({ description: 'Why this member is withheld: neither who they are nor when they lived there is shown' }),
        }),
      ])
      .meta({ description: 'Someone who lives or lived in the household, or a member withheld from the caller (a shielded person they do not work with)' }),
  );
  const Household = registry.component(
    'Household',
    z
      .object({
        id: z.uuid(),
        label: z.string().nullable(),
        address: z
          .object({ line1: z.string(), line2: z.string().nullable(), town: z.string().nullable(), postcode: z.string() })
          .nullable()
          .meta({ description: 'Null when none is recorded or it is withheld' }),
        addressWithheld: z.string().nullable().meta({ description: 'Why the address is withheld (for example, someone shielded lives there)' }),
        current: z.boolean().meta({ description: 'The person lives here now' }),
        periods: z.array(HouseholdPeriod).meta({ description: 'When the person lived here' }),
        members: z.array(HouseholdMember).meta({ description: 'Everyone who lives or lived here, the person included; current members first, withheld members last' }),
      })
      .meta({ description: 'A household: people living together at an address, over time' }),
  );
  const Households = registry.component(
    'Households',
    z.object({
      basis: Basis,
      withheld: z.array(Withheld),
      households: z.array(Household).nullable().meta({ description: 'Current households first; null when family is withheld' }),
    }),
  );
  const Involvement = registry.component(
    'Involvement',
    z.object({
      id: z.uuid(),
      subjectId: z.uuid(),
      organisationId: z.uuid(),
      organisationName: z.string(),
      organisationType: z.string(),
      serviceId: z.uuid().nullable(),
      serviceName: z.string().nullable(),
      sensitiveKind: z.string().nullable(),
      category: DataCategory,
      teamId: z.uuid().nullable(),
      teamName: z.string().nullable(),
      teamEmail: z.string().nullable(),
      teamPhone: z.string().nullable(),
      practitionerId: z.uuid().nullable(),
      practitionerName: z.string().nullable(),
      practitionerEmail: z.string().nullable(),
      practitionerPhone: z.string().nullable(),
      practitionerJobTitle: z.string().nullable(),
      role: z.string(),
      roleLabel: z.string(),
      startDate: isoDate(),
      endDate: isoDate().nullable(),
      earlyHelpAssessment: z.boolean(),
      consentToShow: z.boolean(),
    }),
  );
  const ContactCard = registry.component(
    'ContactCard',
    z
      .object({
        involvementId: z.uuid(),
        organisationName: z.string(),
        serviceName: z.string().nullable(),
        teamName: z.string().nullable(),
        role: z.string(),
        practitionerName: z.string().nullable(),
        jobTitle: z.string().nullable(),
        email: z.string().nullable().meta({ description: 'Work email of the practitioner, or of their team or service' }),
        phone: z.string().nullable(),
        since: isoDate(),
        earlyHelpAssessment: z.boolean(),
      })
      .meta({ description: 'Who is involved and how to reach them at work' }),
  );
  const SearchResult = registry.component(
    'SearchResult',
    z.object({
      subjectId: z.uuid(),
      givenNames: z.string(),
      familyName: z.string(),
      otherNames: z.array(z.string()),
      dateOfBirth: isoDate().nullable(),
      dobPrecision: z.string(),
      deceased: z.boolean(),
      score: z.number().min(0).max(1),
      why: z.array(z.string()).meta({ description: 'Why this person matched' }),
      access: z.enum(['record', 'contact-minimum']).meta({ description: 'record: the caller may open the record; contact-minimum: only who is involved and how to contact them' }),
      contacts: z.array(ContactCard),
    }),
  );
  const SearchResults = registry.component('SearchResults', z.object({ results: z.array(SearchResult) }));
  const PersonView = registry.component(
    'PersonView',
    z
      .object({
        subjectId: z.uuid(),
        basis: Basis,
        basisReason: z.string(),
        allowed: z.array(DataCategory),
        withheld: z.array(Withheld),
        identity: z.union([Person, ContactMinimumIdentity]).nullable(),
        addresses: z.array(Address).nullable().meta({ description: 'Null when whereabouts are withheld' }),
        relationships: z.array(Relationship).nullable().meta({ description: 'Null when family is withheld' }),
        involvements: z.array(Involvement).nullable().meta({ description: 'Null when involvements are withheld' }),
        households: z.array(Household).nullable().meta({ description: 'Current households first; null when family is withheld' }),
        contacts: z.array(ContactCard).meta({ description: 'The current involvements\' work contacts' }),
        activeBreakGlass: z.boolean(),
      })
      .meta({ description: 'A person\'s record as the access policy lets the caller see it: what is withheld is listed with why' }),
  );
  const WhoIsInvolved = registry.component(
    'WhoIsInvolved',
    z.object({ basis: Basis, withheld: z.array(Withheld), current: z.array(ContactCard), past: z.array(ContactCard) }),
  );
  const PersonCreated = registry.component(
    'PersonCreated',
    z.object({ subjectId: z.uuid(), repeated: z.boolean().meta({ description: 'True when this Idempotency-Key was seen before and nothing new was made' }) }),
  );
  const LikelyMatches = registry.component(
    'LikelyMatches',
    z
      .object({
        error: z.object({ code: z.literal('likely_matches'), message: z.string(), requestId: z.string().optional() }),
        matches: z.array(SearchResult),
      })
      .meta({ description: 'The person may already be recorded: check the matches, then send again with confirmNotDuplicate: true if none is them' }),
  );
  const Created = registry.component('Created', z.object({ id: z.uuid() }));
  const RelationshipResult = registry.component(
    'RelationshipResult',
    z.object({ result: z.enum(['created', 'exists']).meta({ description: 'exists: the same relationship was already recorded' }) }),
  );
  const BreakGlassResult = registry.component('BreakGlassResult', z.object({ expiresAt: timestamp() }));
  const AccessHistoryEntry = registry.component(
    'AccessHistoryEntry',
    z.object({
      occurredAt: timestamp(),
      actor: z.string(),
      actorUserId: z.uuid().nullable(),
      organisationId: z.uuid().nullable(),
      roles: z.array(z.string()),
      action: z.string().meta({ description: 'e.g. person.read, person.involvements.read, person.break-glass' }),
      outcome: z.string(),
      purpose: z.string().nullable(),
      reason: z.string().nullable(),
      basis: z.string().nullable(),
      allowed: z.array(z.string()),
      withheld: z.array(z.string()),
    }),
  );
  const AccessHistory = registry.component('AccessHistory', z.object({ entries: z.array(AccessHistoryEntry) }));
  const AccessReview = registry.component(
    'AccessReview',
    z.object({
      subjectId: z.uuid(),
      id: z.uuid(),
      reason: z.string(),
      startedAt: timestamp(),
      expiresAt: timestamp(),
      reviewedAt: timestamp().nullable(),
      reviewOutcome: z.enum(['justified', 'not_justified']).nullable(),
      reviewNote: z.string().nullable(),
      userName: z.string(),
      userEmail: z.string(),
      organisationName: z.string(),
      reviewerName: z.string().nullable(),
    }),
  );
  const AccessReviews = registry.component('AccessReviews', z.object({ open: z.array(AccessReview), done: z.array(AccessReview) }));
  return {
    Withheld,
    Person,
    PersonView,
    ContactCard,
    SearchResults,
    WhoIsInvolved,
    PersonCreated,
    LikelyMatches,
    Created,
    RelationshipResult,
    BreakGlassResult,
    AccessHistory,
    AccessReviews,
    Households,
  };
}

const subjectParams = z.object({ id: z.uuid('Must be a person id (a UUID)') });
const why = z.object({
  purpose: z.string().trim().min(1).max(200).optional().meta({ description: 'What the information is for; recorded in the audit log' }),
  reason: z
    .string()
    .trim()
    .min(1)
    .max(1000)
    .optional()
    .meta({ description: 'Why you need it. Needed when you have no working relationship with the person: you then see the contact minimum' }),
});

export function registerPeopleRoutes(registry: ApiRegistry, services: Services): void {
  const s = registerPeopleSchemas(registry);
  const people = services.people;
  const tags = ['People'];
  const forbidden = { description: 'The access policy does not allow this: the error says why', schema: ErrorSchema };
  const notFound = { description: 'No such person', schema: ErrorSchema };

  registry.add({
    method: 'get',
    path: '/api/v1/people',
    operationId: 'searchPeople',
    summary: 'Find a person',
    description:
      'Fuzzy search by name (nicknames, spelling and sound-alikes), date of birth (day and month swapped too), postcode or identifier. ' +
      'A reason is always needed and is audited. Without a working relationship a result shows only name, date of birth and the involved practitioners\' work contacts. ' +
      'Shielded people appear only on an exact full name and date of birth.',
    tags,
    secured: true,
    request: {
      query: z.object({
        name: z.string().max(200).optional(),
        dateOfBirth: z.string().optional().meta({ description: 'YYYY-MM-DD' }),
        postcode: z.string().optional(),
        identifier: z.string().max(64).optional().meta({ description: 'NHS number, UPN or a local id' }),
        reason: z.string({ error: 'Say why you are searching' }).meta({ description: 'Why you are searching (at least 5 characters); recorded in the audit log' }),
      }),
    },
    responses: { 200: { description: 'Matches, best first', schema: s.SearchResults } },
    handler: async ({ query, req }) => ({ results: await within('query', () => people.search(req.principal!, query, auditContext(req))) }),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people',
    operationId: 'createPerson',
    summary: 'Record a person',
    description:
      'Checks first for people who may already be recorded (409 with the matches); send again with confirmNotDuplicate: true when none is them. ' +
      'Send an Idempotency-Key header to make retries safe: a repeated request answers 200 with the person it made the first time.',
    tags,
    secured: true,
    request: {
      body: z.object({
        ...createPersonSchema.shape,
        confirmNotDuplicate: z.boolean().default(false).meta({ description: 'You checked the likely matches and none is this person' }),
      }),
    },
    responses: {
      201: { description: 'Recorded', schema: s.PersonCreated },
      200: { description: 'Already recorded by an earlier request with the same Idempotency-Key', schema: s.PersonCreated },
      403: forbidden,
      409: { description: 'This person may already be recorded', schema: s.LikelyMatches },
    },
    handler: async ({ body, req, res }) => {
      const { confirmNotDuplicate, ...input } = body;
      const key = req.get('idempotency-key')?.trim();
      if (key !== undefined && (key.length === 0 || key.length > 200)) {
        throw new ValidationError({ 'header.Idempotency-Key': 'The Idempotency-Key must be 1 to 200 characters' });
      }
      try {
        const r = await within('body', () =>
          people.create(req.principal!, input, auditContext(req), {
            confirmNotDuplicate,
            // Keys are the caller's own: another caller's key never finds their person.
            ...(key ? { requestKey: `${req.principal!.userId}:${key}` } : {}),
          }),
        );
        res.status(r.repeated ? 200 : 201).location(`/api/v1/people/${r.subjectId}`).json({ subjectId: r.subjectId, repeated: r.repeated });
      } catch (err) {
        if (!(err instanceof LikelyMatchesError)) throw err;
        res.status(409).json({ error: { code: 'likely_matches', message: err.message, requestId: req.requestId }, matches: err.matches });
      }
    },
  });

  registry.add({
    method: 'get',
    path: '/api/v1/people/:id',
    operationId: 'getPerson',
    summary: 'A person\'s record, as the access policy allows',
    description:
      'Shows what the caller\'s basis allows and lists what is withheld with why. Without a working relationship, an open MASH enquiry, a disclosure or break-glass, ' +
      'a reason is needed and only the contact minimum is shown. Every read is audited.',
    tags,
    secured: true,
    request: { params: subjectParams, query: why },
    responses: { 200: { description: 'The record', schema: s.PersonView }, 403: forbidden, 404: notFound },
    handler: async ({ params, query, req }) => people.view(req.principal!, params.id, auditContext(req), query),
  });

  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/involvements',
    operationId: 'whoIsInvolved',
    summary: 'Who is involved with a person',
    description: 'The practitioners and services working with the person now, and in the past when the caller may see involvements, with work contact details.',
    tags,
    secured: true,
    request: { params: subjectParams, query: why },
    responses: { 200: { description: 'Who is involved', schema: s.WhoIsInvolved }, 403: forbidden, 404: notFound },
    handler: async ({ params, query, req }) => people.whoIsInvolved(req.principal!, params.id, auditContext(req), query),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/involvements',
    operationId: 'addInvolvement',
    summary: 'Record that your organisation is working with a person',
    description: 'Without a team or practitioner, the caller and their first team are recorded.',
    tags,
    secured: true,
    request: { params: subjectParams, body: z.object(involvementSchema.shape) },
    responses: { 201: { description: 'Recorded', schema: s.Created }, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req }) => ({ id: await within('body', () => people.addInvolvement(req.principal!, params.id, body, auditContext(req))) }),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/involvements/:involvementId/end',
    operationId: 'endInvolvement',
    summary: 'End your organisation\'s involvement',
    tags,
    secured: true,
    request: { params: subjectParams.extend({ involvementId: z.uuid('Must be an involvement id (a UUID)') }), body: endInvolvementSchema },
    responses: { 204: { description: 'Ended' }, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req, res }) => {
      await within('body', () => people.endInvolvement(req.principal!, params.id, params.involvementId, body, auditContext(req)));
      res.status(204).end();
    },
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/relationships',
    operationId: 'addRelationship',
    summary: 'Record a family or household relationship',
    description: 'Recorded from both people\'s sides. Recording the same relationship again answers 200 with result exists.',
    tags,
    secured: true,
    request: { params: subjectParams, body: relationshipSchema },
    responses: { 201: { description: 'Recorded', schema: s.RelationshipResult }, 200: { description: 'Already recorded', schema: s.RelationshipResult }, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req, res }) => {
      const result = await within('body', () => people.addRelationship(req.principal!, params.id, body, auditContext(req)));
      res.status(result === 'created' ? 201 : 200).json({ result });
    },
  });

  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/households',
    operationId: 'getHouseholds',
    summary: 'Who a person lives with: their current and previous households',
    description:
      'Needs the family category (the household\'s address also needs whereabouts). A shielded member is shown only to a caller who works with them, ' +
      'otherwise as withheld; the address is withheld while a withheld member lives there. Audited.',
    tags,
    secured: true,
    request: { params: subjectParams, query: why },
    responses: { 200: { description: 'The households', schema: s.Households }, 403: forbidden, 404: notFound },
    handler: async ({ params, query, req }) => people.households(req.principal!, params.id, auditContext(req), query),
  });

  const householdParams = subjectParams.extend({ householdId: z.uuid('Must be a household id (a UUID)') });
  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/households',
    operationId: 'createHousehold',
    summary: 'Record a household of the person',
    description:
      'The person and the other people named start living together from fromDate. address "current" copies their current address to the household; ' +
      '"none" records a household without one. Recording a shielded person needs a working relationship with them.',
    tags,
    secured: true,
    request: { params: subjectParams, body: householdSchema },
    responses: { 201: { description: 'Recorded', schema: s.Created }, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req }) => ({ id: await within('body', () => people.createHousehold(req.principal!, params.id, body, auditContext(req))) }),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/households/:householdId/members',
    operationId: 'addHouseholdMember',
    summary: 'Record someone moving into one of the person\'s current households',
    tags,
    secured: true,
    request: { params: householdParams, body: householdMemberSchema },
    responses: { 204: { description: 'Recorded' }, 403: forbidden, 404: { description: 'No such person, or no such household of theirs', schema: ErrorSchema } },
    handler: async ({ params, body, req, res }) => {
      await within('body', () => people.addHouseholdMember(req.principal!, params.id, params.householdId, body, auditContext(req)));
      res.status(204).end();
    },
  });

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/households/:householdId/members/:memberSubjectId/leave',
    operationId: 'leaveHousehold',
    summary: 'Record someone leaving one of the person\'s current households',
    description: 'The membership is kept, with the date they left, so the household\'s history stays. The member may be the person themselves.',
    tags,
    secured: true,
    request: { params: householdParams.extend({ memberSubjectId: z.uuid('Must be a person id (a UUID)') }), body: leaveHouseholdSchema },
    responses: { 204: { description: 'Recorded' }, 403: forbidden, 404: { description: 'No such person, or no such household of theirs', schema: ErrorSchema } },
    handler: async ({ params, body, req, res }) => {
      await within('body', () => people.leaveHousehold(req.principal!, params.id, params.householdId, params.memberSubjectId, body, auditContext(req)));
      res.status(204).end();
    },
  });

  /** Names, addresses and identifiers are recorded alike: a body for the person, 204 when done. */
  const addDetail = (path: string, operationId: 'addName' | 'addAddress' | 'addIdentifier', summary: string, body: z.ZodType, description?: string) =>
    registry.add({
      method: 'post',
      path: `/api/v1/people/:id/${path}`,
      operationId,
      summary,
      ...(description ? { description } : {}),
      tags,
      secured: true,
      request: { params: subjectParams, body },
      responses: { 204: { description: 'Recorded' }, 403: forbidden, 404: notFound },
      handler: async ({ params, body, req, res }) => {
        await within('body', () => people[operationId](req.principal!, params.id, body, auditContext(req)));
        res.status(204).end();
      },
    });

  addDetail(
    'names',
    'addName',
    'Record another name',
    z.object({
      kind: z.enum(['current', 'previous', 'alias', 'preferred', 'birth']).meta({ description: 'A new current name makes the old one a previous name' }),
      givenNames: z.string(),
      familyName: z.string(),
    }),
  );
  addDetail(
    'addresses',
    'addAddress',
    'Record a new current address',
    z.object({
      line1: z.string(),
      line2: z.string().optional(),
      town: z.string().optional(),
      postcode: z.string().meta({ description: 'A UK postcode, e.g. NB1 2AB' }),
      fromDate: z.string().optional().meta({ description: 'YYYY-MM-DD' }),
    }),
    'The previous current address ends the day the new one starts.',
  );
  addDetail(
    'identifiers',
    'addIdentifier',
    'Record an identifier',
    z.object({
      scheme: z.enum(['nhs_number', 'upn', 'local']),
      value: z.string(),
      organisationId: z.uuid().optional().meta({ description: 'For a local id: whose (defaults to the caller\'s organisation)' }),
    }),
  );

  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/break-glass',
    operationId: 'breakGlass',
    summary: 'Emergency access to a record',
    description:
      'For an emergency where no other basis applies. Opens the record (not case content, and not a shielded person\'s whereabouts) for a limited time, ' +
      'alerts the information-governance lead and is reviewed afterwards.',
    tags,
    secured: true,
    request: { params: subjectParams, body: breakGlassSchema },
    responses: { 201: { description: 'Access granted until expiresAt', schema: s.BreakGlassResult }, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req }) => {
      const r = await within('body', () => people.breakGlass(req.principal!, params.id, body, auditContext(req)));
      return { expiresAt: r.expiresAt.toISOString() };
    },
  });

  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/access-history',
    operationId: 'getAccessHistory',
    summary: 'Who viewed this record',
    description: 'For the information-governance lead and the person\'s lead professional: every read and change of the record, newest first, with basis, purpose and reason.',
    tags,
    secured: true,
    request: { params: subjectParams },
    responses: { 200: { description: 'The access history', schema: s.AccessHistory }, 403: forbidden, 404: notFound },
    handler: async ({ params, req }) => {
      const entries = await people.accessHistory(req.principal!, params.id, auditContext(req));
      const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
      return {
        entries: entries.map((e) => ({
          occurredAt: e.occurredAt.toISOString(),
          actor: e.actorLabel,
          actorUserId: e.actorUserId,
          organisationId: e.organisationId,
          roles: e.roles,
          action: e.action,
          outcome: e.outcome,
          purpose: e.purpose,
          reason: e.reason,
          basis: typeof e.details.basis === 'string' ? e.details.basis : null,
          allowed: list(e.details.allowed),
          withheld: list(e.details.withheld),
        })),
      };
    },
  });

  registry.add({
    method: 'get',
    path: '/api/v1/access-reviews',
    operationId: 'listAccessReviews',
    summary: 'Emergency access to review',
    description: 'For the information-governance lead: break-glass uses not yet reviewed (oldest first), and the latest reviewed.',
    tags: ['Oversight'],
    secured: true,
    responses: { 200: { description: 'The review queue', schema: s.AccessReviews }, 403: forbidden },
    handler: async ({ req }) => people.reviewQueue(req.principal!, auditContext(req)),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/access-reviews/:subjectId/:id',
    operationId: 'reviewAccess',
    summary: 'Review an emergency access',
    description: 'Once only. A not-justified outcome needs a note saying what happens next.',
    tags: ['Oversight'],
    secured: true,
    request: {
      params: z.object({ subjectId: z.uuid('Must be a person id (a UUID)'), id: z.uuid('Must be a break-glass id (a UUID)') }),
      body: z.object({ outcome: z.enum(['justified', 'not_justified']), note: z.string().max(1000).optional() }),
    },
    responses: { 204: { description: 'Reviewed' }, 403: forbidden },
    handler: async ({ params, body, req, res }) => {
      await within('body', () => people.review(req.principal!, params.subjectId, params.id, body, auditContext(req)));
      res.status(204).end();
    },
  });
}
