import { z } from 'zod';
import type { LinkReviewRow } from '../../repositories/linking-repository.ts';
import type { Services } from '../../services/index.ts';
import { auditContext } from '../request-context.ts';
import type { ApiRegistry } from './registry.ts';
import { ErrorSchema } from './schemas.ts';

/** Record linkage: link an organisation's feed records to people, and its review queue of uncertain pairs. */
export function registerLinkingRoutes(registry: ApiRegistry, services: Services) {
  const Field = z.object({
    comparison: z.string(),
    level: z.string(),
    m: z.number(),
    u: z.number(),
    weight: z.number().meta({ description: 'log2(m/u) plus any term-frequency adjustment: this field’s contribution to the match weight' }),
    termFrequencyAdjustment: z.number().optional().meta({ description: 'For an exact name: how much more (or less) agreeing on this name counts than agreeing on a name of average frequency' }),
  });
  const Review = registry.component(
    'LinkReview',
    z.object({
      id: z.uuid(),
      subjectId: z.uuid().meta({ description: 'The candidate person' }),
      kind: z.string(),
      sourceRecordId: z.string().meta({ description: "Your organisation's record id" }),
      weight: z.number().meta({ description: 'Match weight: log2 odds, the prior plus every field’s contribution' }),
      probability: z.number(),
      explanation: z.object({ prior: z.number(), weight: z.number(), probability: z.number(), twinGuard: z.boolean(), modelId: z.uuid().nullable().optional().meta({ description: 'The trained model the pair was scored with; null for the starting values' }), fields: z.array(Field) }),
      status: z.enum(['pending', 'accepted', 'rejected']),
      createdAt: z.iso.datetime(),
    }),
  );
  const reviewOut = (r: LinkReviewRow) => ({
    id: r.id,
    subjectId: r.subjectId,
    kind: r.kind,
    sourceRecordId: r.sourceRecordId,
    weight: r.weight,
    probability: r.probability,
    explanation: r.explanation as z.infer<typeof Review>['explanation'],
    status: r.status,
    createdAt: r.createdAt.toISOString(),
  });
  const denied = { 403: { description: 'Not allowed', schema: ErrorSchema } };

  registry.add({
    method: 'post',
    path: '/api/v1/linking/runs',
    operationId: 'runLinking',
    summary: "Link your organisation's unlinked people records to people",
    description: 'Links clear matches, queues uncertain pairs for review (never a pair already rejected), and leaves the rest unlinked. Practitioners with an active involvement are notified of new links.',
    tags: ['Linking'],
    secured: true,
    request: {
      body: z.object({
        runId: z.uuid().optional().meta({ description: 'Only the records of this import run' }),
        createPeople: z.boolean().optional().meta({ description: 'Record each record that matches nobody (and has no pair waiting or rejected) as a new person, with your record id as a local identifier' }),
      }),
    },
    responses: {
      200: {
        description: 'What was linked, queued and left',
        schema: z.object({
          considered: z.number().int(),
          linked: z.array(z.object({ sourceRecordId: z.string(), subjectId: z.uuid(), linkId: z.uuid(), weight: z.number(), notified: z.number().int() })),
          queued: z.array(z.object({ sourceRecordId: z.string(), subjectId: z.uuid(), reviewId: z.uuid(), weight: z.number() })),
          left: z.array(z.string()),
          created: z.array(z.object({ sourceRecordId: z.string(), subjectId: z.uuid(), linkId: z.uuid() })),
          notCreated: z.array(z.object({ sourceRecordId: z.string(), reason: z.string() })),
        }),
      },
      ...denied,
    },
    handler: async ({ req, body }) => services.linking.run(req.principal!, req.principal!.organisationId, auditContext(req), { runId: body.runId, createPeople: body.createPeople }),
  });

  registry.add({
    method: 'get',
    path: '/api/v1/linking/reviews',
    operationId: 'listLinkReviews',
    summary: "Your organisation's pairs waiting for review, with each field's contribution",
    tags: ['Linking'],
    secured: true,
    responses: { 200: { description: 'The pending pairs', schema: z.object({ reviews: z.array(Review) }) }, ...denied },
    handler: async ({ req }) => ({ reviews: (await services.linking.queue(req.principal!)).map(reviewOut) }),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/linking/reviews/:id/decision',
    operationId: 'decideLinkReview',
    summary: 'Accept (link) or reject (never propose again) a pair',
    tags: ['Linking'],
    secured: true,
    request: { params: z.object({ id: z.uuid() }), body: z.object({ decision: z.enum(['accept', 'reject']), note: z.string().max(2000).optional() }) },
    responses: {
      200: { description: 'The decision', schema: z.object({ status: z.enum(['accepted', 'rejected']), linkId: z.uuid().nullable(), notified: z.number().int() }) },
      404: { description: 'No such review', schema: ErrorSchema },
      ...denied,
    },
    handler: async ({ req, params, body }) => services.linking.decide(req.principal!, params.id, body, auditContext(req)),
  });

  const LinkedRecord = registry.component(
    'LinkedRecord',
    z.object({
      linkId: z.uuid(),
      organisation: z.object({ id: z.uuid(), name: z.string() }),
      kind: z.string(),
      how: z.enum(['auto', 'accepted', 'manual', 'created']),
      weight: z.number().nullable(),
      createdBy: z.string(),
      createdAt: z.iso.datetime(),
      undone: z.object({ by: z.string(), at: z.iso.datetime(), reason: z.string().nullable() }).nullable(),
      record: z
        .object({ sourceRecordId: z.string(), givenNames: z.string().nullable(), familyName: z.string().nullable(), dateOfBirth: z.string().nullable(), postcode: z.string().nullable() })
        .nullable()
        .meta({ description: 'The record as the agency holds it; null when withheld (see withheld)' }),
      dependants: z.record(z.string(), z.number().int()).nullable().meta({ description: 'Involvements, contacts and events following the record, by kind; null when withheld' }),
      withheld: z.string().nullable().meta({ description: 'Which agency holds the record and why its details are not shown' }),
      mayUndo: z.boolean(),
    }),
  );
  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/linked-records',
    operationId: 'listLinkedRecords',
    summary: 'The agency records linked to a person, and how',
    description: 'Every link, undone ones too. A record’s details are shown to its own organisation or where the policy opens the agency’s case category; otherwise the agency that holds it is named, with the reason.',
    tags: ['Linking'],
    secured: true,
    request: { params: z.object({ id: z.uuid() }), query: z.object({ reason: z.string().max(500).optional().meta({ description: 'Why you need it, when you have no working relationship with the person' }) }) },
    responses: { 200: { description: 'The linked records', schema: z.object({ records: z.array(LinkedRecord) }) }, 404: { description: 'No such person', schema: ErrorSchema }, ...denied },
    handler: async ({ req, params, query }) => {
      const { records } = await services.linking.linkedRecords(req.principal!, params.id, auditContext(req), { reason: query.reason });
      return {
        records: records.map((r) => ({
          linkId: r.linkId,
          organisation: { id: r.organisationId, name: r.organisationName },
          kind: r.kind,
          how: r.how,
          weight: r.weight,
          createdBy: r.createdBy,
          createdAt: r.createdAt.toISOString(),
          undone: r.undone ? { by: r.undone.by, at: r.undone.at.toISOString(), reason: r.undone.reason } : null,
          record: r.record,
          dependants: r.dependants,
          withheld: r.withheld,
          mayUndo: r.mayUndo,
        })),
      };
    },
  });

  registry.add({
    method: 'post',
    path: '/api/v1/linking/links/:id/undo',
    operationId: 'undoRecordLink',
    summary: 'Undo a wrong link: the record leaves the person and the pair is queued again',
    tags: ['Linking'],
    secured: true,
    request: { params: z.object({ id: z.uuid() }), body: z.object({ reason: z.string().min(1).max(2000) }) },
    responses: { 200: { description: 'Undone', schema: z.object({ undone: z.literal(true) }) }, 404: { description: 'No such link', schema: ErrorSchema }, ...denied },
    handler: async ({ req, params, body }) => {
      await services.linking.undo(req.principal!, params.id, body, auditContext(req));
      return { undone: true as const };
    },
  });

  const AgencyInvolvement = registry.component(
    'AgencyInvolvement',
    z
      .object({
        organisation: z.object({ id: z.uuid(), name: z.string() }),
        sourceRecordId: z.string().meta({ description: "The agency's own id of its involvement record" }),
        role: z.string().meta({ description: "The role in the agency's own words" }),
        practitionerName: z.string().nullable(),
        teamName: z.string().nullable(),
        phone: z.string().nullable().meta({ description: 'Work phone as the agency sent it; null when not sent or not shown to you' }),
        email: z.string().nullable(),
        startDate: z.iso.date(),
        endDate: z.iso.date().nullable(),
        sentAt: z.iso.datetime().meta({ description: 'When the agency last sent a change to it' }),
      })
      .meta({ description: "An involvement as an agency's own system sent it (a feed record linked to the person)" }),
  );
  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/agency-involvements',
    operationId: 'listAgencyInvolvements',
    summary: "Who is involved, as agencies' own systems record it",
    description:
      "The involvements agencies' feeds sent, linked to the person, beside those recorded in Team Around (whoIsInvolved). A row is the agency's own words, so it is shown to that agency, or where the policy opens the agency's case category; otherwise, where you may know who is involved, the agency is named in heldBy with why. Work contacts need the contacts category.",
    tags: ['Linking'],
    secured: true,
    request: { params: z.object({ id: z.uuid() }), query: z.object({ reason: z.string().max(500).optional().meta({ description: 'Why you need it, when you have no working relationship with the person' }) }) },
    responses: {
      200: {
        description: "Agency-reported involvements",
        schema: z.object({
          current: z.array(AgencyInvolvement),
          past: z.array(AgencyInvolvement),
          heldBy: z.array(z.object({ organisation: z.object({ id: z.uuid(), name: z.string() }), reason: z.string() })),
          more: z.boolean().meta({ description: 'True when more than 500 were sent: the oldest ended ones are left out' }),
        }),
      },
      404: { description: 'No such person', schema: ErrorSchema },
      ...denied,
    },
    handler: async ({ req, params, query }) => {
      const v = await services.linking.agencyInvolvements(req.principal!, params.id, auditContext(req), { reason: query.reason });
      const out = (a: (typeof v.current)[number]) => ({
        organisation: { id: a.organisationId, name: a.organisationName },
        sourceRecordId: a.sourceRecordId,
        role: a.role,
        practitionerName: a.practitionerName,
        teamName: a.teamName,
        phone: a.phone,
        email: a.email,
        startDate: a.startDate,
        endDate: a.endDate,
        sentAt: a.sentAt.toISOString(),
      });
      return { current: v.current.map(out), past: v.past.map(out), heldBy: v.heldBy.map((h) => ({ organisation: { id: h.organisationId, name: h.organisationName }, reason: h.reason })), more: v.more };
    },
  });
}
