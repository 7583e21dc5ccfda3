import { z } from 'zod';
import {
  AGREEMENT_STATUSES,
  agreementFilterSchema,
  changeStatusSchema,
  coverageQuerySchema,
  createAgreementSchema,
  recordReviewSchema,
  REVIEW_DUE_DAYS,
  signAgreementSchema,
} from '../../services/agreement-service.ts';
import type { Services } from '../../services/index.ts';
import { PURPOSES, SHAREABLE_CATEGORIES } from '../../sharing/rules.ts';
import { auditContext } from '../request-context.ts';
import type { ApiRegistry } from './registry.ts';
import { within } from './registry.ts';
import { ErrorSchema } from './schemas.ts';

const isoDate = () => z.iso.date();
const timestamp = () => z.iso.datetime();

/** The agreement shapes, registered as named components of the OpenAPI document. */
export function registerAgreementSchemas(registry: ApiRegistry) {
  const Status = registry.component(
    'AgreementStatus',
    z.enum(AGREEMENT_STATUSES).meta({ description: 'draft until every party has signed and it is activated; only an active agreement covers a share' }),
  );
  const Party = registry.component(
    'AgreementParty',
    z.object({
      organisationId: z.uuid(),
      organisationName: z.string(),
      signatoryName: z.string().nullable(),
      signatoryRole: z.string().nullable(),
      signedAt: timestamp().nullable().meta({ description: 'Null until this party has signed' }),
      signedBy: z.uuid().nullable().meta({ description: 'The IG lead who recorded the signature (null for one recorded from a paper copy)' }),
    }),
  );
  const Agreement = registry.component(
    'Agreement',
    z
      .object({
        id: z.uuid(),
        reference: z.string(),
        title: z.string(),
        status: Status,
        parties: z.array(Party),
        purposes: z.array(z.enum(PURPOSES)),
        legalBases: z.array(z.string()).meta({ description: 'Codes from the legal basis list' }),
        categories: z.array(z.enum(SHAREABLE_CATEGORIES as [string, ...string[]])),
        retention: z.string(),
        startDate: isoDate(),
        endDate: isoDate().nullable(),
        reviewDate: isoDate(),
        notes: z.string().nullable(),
        createdBy: z.uuid(),
        createdAt: timestamp(),
        updatedAt: timestamp(),
        lastReviewedAt: timestamp().nullable(),
        lastRemindedAt: timestamp().nullable(),
        allSigned: z.boolean(),
        daysToReview: z.number().int().meta({ description: 'Days from today to the review date; negative when overdue' }),
        reviewDue: z.boolean().meta({ description: `Active, and its review is due within ${REVIEW_DUE_DAYS} days or overdue` }),
      })
      .meta({ description: 'An information sharing agreement between organisations' }),
  );
  const AgreementList = registry.component('AgreementList', z.object({ agreements: z.array(Agreement) }));
  const AgreementDetail = registry.component(
    'AgreementDetail',
    Agreement.extend({
      history: z
        .array(z.object({ at: timestamp(), action: z.string(), by: z.string(), reason: z.string().nullable(), details: z.record(z.string(), z.unknown()) }))
        .meta({ description: 'What happened to it, newest first, from the audit log' }),
    }),
  );
  const Coverage = registry.component(
    'AgreementCoverage',
    z
      .object({
        status: z.enum(['covered', 'not_covered', 'no_agreement']).meta({
          description: 'covered: an active agreement covers the purpose and every category on the date. not_covered: the parties have an agreement but it does not (a routine share is flagged). no_agreement: none at all (a share must be justified as a one-off)',
        }),
        agreementId: z.uuid().nullable(),
        message: z.string(),
        date: isoDate(),
      })
      .meta({ description: 'Whether an information sharing agreement covers a share' }),
  );
  return { Agreement, AgreementList, AgreementDetail, Coverage };
}

const idParams = z.object({ id: z.uuid('Must be an agreement id (a UUID)') });

export function registerAgreementRoutes(registry: ApiRegistry, services: Services): void {
  const s = registerAgreementSchemas(registry);
  const agreements = services.agreements;
  const tags = ['Information sharing agreements'];
  const forbidden = { description: 'Only the information-governance lead of a party can do that (an administrator may also add one)', schema: ErrorSchema };
  const notFound = { description: 'No such agreement', schema: ErrorSchema };
  const detail = async (p: Parameters<typeof agreements.get>[0], id: string) => ({ ...(await agreements.get(p, id)), history: await agreements.history(p, id) });

  registry.add({
    method: 'get',
    path: '/api/v1/agreements',
    operationId: 'listAgreements',
    summary: 'The register of information sharing agreements',
    description: 'Everyone signed in may read the register (agreements are not personal data). Filter by a party organisation, status, or reviews due.',
    tags,
    secured: true,
    request: { query: agreementFilterSchema },
    responses: { 200: { description: 'Agreements, soonest review first', schema: s.AgreementList } },
    handler: async ({ query, req }) => ({ agreements: await within('query', () => agreements.list(req.principal!, query)) }),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/agreements',
    operationId: 'createAgreement',
    summary: 'Add an agreement to the register, as a draft',
    description:
      'An information-governance lead adds agreements their organisation is party to; a system administrator may add any. ' +
      'Parties must be at least two recorded organisations. It becomes active only when every party has signed.',
    tags,
    secured: true,
    request: { body: createAgreementSchema },
    responses: { 201: { description: 'Added', schema: s.AgreementDetail }, 403: forbidden },
    handler: async ({ body, req, res }) => {
      const { id } = await within('body', () => agreements.create(req.principal!, body, auditContext(req)));
      res.status(201).location(`/api/v1/agreements/${id}`).json(await detail(req.principal!, id));
    },
  });

  registry.add({
    method: 'get',
    path: '/api/v1/agreements/reviews-due',
    operationId: 'agreementReviewsDue',
    summary: 'Active agreements due for review',
    description: `Reviews due within ${REVIEW_DUE_DAYS} days or overdue, most urgent first. The IG leads of the parties are reminded once a week until the review is recorded.`,
    tags,
    secured: true,
    request: { query: z.object({ organisationId: agreementFilterSchema.shape.organisationId }) },
    responses: { 200: { description: 'Reviews due', schema: s.AgreementList } },
    handler: async ({ query, req }) => ({ agreements: await agreements.reviewsDue(req.principal!, query.organisationId) }),
  });

  registry.add({
    method: 'get',
    path: '/api/v1/agreements/coverage',
    operationId: 'agreementCoverage',
    summary: 'Does an agreement cover a share?',
    description:
      'Whether an active agreement between the two organisations covers the purpose and every category on the date (today by default). ' +
      'A routine share that is not covered is flagged; one between organisations with no agreement must be justified as a one-off.',
    tags,
    secured: true,
    request: {
      query: coverageQuerySchema.extend({
        categories: coverageQuerySchema.shape.categories.meta({ description: 'Comma-separated categories, e.g. identity,police' }),
      }),
    },
    responses: { 200: { description: 'The answer', schema: s.Coverage } },
    handler: async ({ query, req }) => within('query', () => agreements.coverage(req.principal!, query)),
  });

  registry.add({
    method: 'get',
    path: '/api/v1/agreements/:id',
    operationId: 'getAgreement',
    summary: 'An agreement, its parties and signatures, and its history',
    tags,
    secured: true,
    request: { params: idParams },
    responses: { 200: { description: 'The agreement', schema: s.AgreementDetail }, 404: notFound },
    handler: async ({ params, req }) => detail(req.principal!, params.id),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/agreements/:id/sign',
    operationId: 'signAgreement',
    summary: 'Sign a draft agreement for your organisation',
    description: 'By the information-governance lead of a party, for their own organisation.',
    tags,
    secured: true,
    request: { params: idParams, body: signAgreementSchema },
    responses: { 200: { description: 'Signed', schema: s.AgreementDetail }, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req }) => {
      await within('body', () => agreements.sign(req.principal!, params.id, body, auditContext(req)));
      return detail(req.principal!, params.id);
    },
  });

  registry.add({
    method: 'post',
    path: '/api/v1/agreements/:id/activate',
    operationId: 'activateAgreement',
    summary: 'Make a draft agreement active, once every party has signed',
    tags,
    secured: true,
    request: { params: idParams },
    responses: { 200: { description: 'Active', schema: s.AgreementDetail }, 403: forbidden, 404: notFound },
    handler: async ({ params, req }) => {
      await agreements.activate(req.principal!, params.id, auditContext(req));
      return detail(req.principal!, params.id);
    },
  });

  registry.add({
    method: 'post',
    path: '/api/v1/agreements/:id/status',
    operationId: 'changeAgreementStatus',
    summary: 'Suspend, end or reinstate an agreement, with a reason',
    description: 'suspend: active to suspended. reinstate: suspended to active. end: a draft, active or suspended agreement ends for good.',
    tags,
    secured: true,
    request: { params: idParams, body: changeStatusSchema },
    responses: { 200: { description: 'Changed', schema: s.AgreementDetail }, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req }) => {
      await within('body', () => agreements.changeStatus(req.principal!, params.id, body, auditContext(req)));
      return detail(req.principal!, params.id);
    },
  });

  registry.add({
    method: 'post',
    path: '/api/v1/agreements/:id/review',
    operationId: 'recordAgreementReview',
    summary: 'Record a review and the next review date',
    tags,
    secured: true,
    request: { params: idParams, body: recordReviewSchema },
    responses: { 200: { description: 'Reviewed', schema: s.AgreementDetail }, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req }) => {
      await within('body', () => agreements.recordReview(req.principal!, params.id, body, auditContext(req)));
      return detail(req.principal!, params.id);
    },
  });
}
