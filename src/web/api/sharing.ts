import { z } from 'zod';
import { DATA_CATEGORIES } from '../../policy/access-policy.ts';
import { consentSchema, coverageQuerySchema, withdrawSchema } from '../../services/consent-service.ts';
import type { Services } from '../../services/index.ts';
import { ValidationError } from '../../services/principal.ts';
import { approvalSchema, contextQuerySchema, decisionSchema, noteSchema, reportSchema, revokeSchema, SharingService } from '../../services/sharing-service.ts';
import { PURPOSES } from '../../sharing/rules.ts';
import { auditContext } from '../request-context.ts';
import type { ApiRegistry } from './registry.ts';
import { within } from './registry.ts';
import { ErrorSchema } from './schemas.ts';

const isoDate = () => z.iso.date();
const timestamp = () => z.iso.datetime();
const category = z.enum(DATA_CATEGORIES);

function requestKey(req: { get(name: string): string | undefined; principal?: { userId: string } | undefined }): string | undefined {
  const key = req.get('idempotency-key')?.trim();
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > 200) throw new ValidationError({ 'header.Idempotency-Key': 'The Idempotency-Key must be 1 to 200 characters' });
  // Keys are the caller's own: another caller's key never finds their record.
  return `${req.principal!.userId}:${key}`;
}

export function registerSharingSchemas(registry: ApiRegistry) {
  const Purpose = registry.component('SharingPurpose', z.enum(PURPOSES).meta({ description: 'What information is shared for' }));
  const ConsentException = z.object({
    type: z.enum(['deny', 'permit']),
    purposes: z.array(z.string()),
    organisationIds: z.array(z.uuid()),
    organisationTypes: z.array(z.string()),
    categories: z.array(z.string()),
    from: isoDate().nullable().optional(),
    until: isoDate().nullable().optional(),
  });
  const Consent = registry.component(
    'Consent',
    z
      .object({
        subjectId: z.uuid(),
        id: z.uuid(),
        decision: z.enum(['given', 'refused']),
        state: z.enum(['in-force', 'refused', 'withdrawn', 'expired', 'not-yet']),
        givenBy: z.enum(['person', 'parental_responsibility', 'lawful_representative']),
        givenBySubjectId: z.uuid().nullable(),
        givenByName: z.string().nullable(),
        capacityAssessment: z.enum(['gillick', 'mental_capacity', 'presumed']),
        capacityOutcome: z.enum(['capable', 'not_capable']),
        capacityReasoning: z.string().nullable(),
        capacityAssessedBy: z.uuid().nullable(),
        capacityAssessedOn: isoDate().nullable(),
        purposes: z.array(z.string()),
        anyRecipient: z.boolean(),
        recipientOrganisationIds: z.array(z.uuid()),
        recipientOrganisationTypes: z.array(z.string()),
        categories: z.array(z.string()),
        exceptions: z.array(ConsentException),
        method: z.enum(['verbal', 'written', 'electronic']),
        evidence: z.object({ id: z.uuid(), filename: z.string(), contentType: z.string(), sizeBytes: z.number(), sha256: z.string() }).nullable(),
        validFrom: isoDate(),
        validUntil: isoDate().nullable(),
        notes: z.string().nullable(),
        organisationId: z.uuid(),
        organisationName: z.string(),
        recordedBy: z.uuid(),
        recordedByName: z.string(),
        recordedAt: timestamp(),
        withdrawnAt: timestamp().nullable(),
        withdrawnBy: z.uuid().nullable(),
        withdrawalReason: z.string().nullable(),
        withdrawalMethod: z.string().nullable(),
        source: z.enum(['app', 'api', 'fhir']),
        externalId: z.string().nullable(),
      })
      .meta({ description: 'A statement of consent to share, given or refused; withdrawal is recorded on it and the history kept' }),
  );
  const Coverage = registry.component(
    'ConsentCoverage',
    z
      .object({
        position: z.enum(['given', 'refused', 'withdrawn', 'none']),
        consentId: z.uuid().nullable(),
        covered: z.array(category),
        notCovered: z.array(category),
        messages: z.array(z.string()).meta({ description: 'Plain explanations, e.g. that consent on record is for another purpose' }),
      })
      .meta({ description: 'What the consent records say about a proposed share' }),
  );
  const AgreementCoverage = z.object({ status: z.enum(['covered', 'not_covered', 'no_agreement']), agreementId: z.uuid().nullable(), message: z.string() }).nullable();
  const RecordItem = registry.component(
    'RecordItem',
    z.object({ type: z.enum(['identity', 'address', 'involvement', 'relationship', 'note', 'all']), id: z.uuid().nullable(), category, label: z.string(), detail: z.string() }),
  );
  const Withheld = z.object({ category, reason: z.string() });
  const Decision = registry.component(
    'SharingDecision',
    z
      .object({
        subjectId: z.uuid(),
        id: z.uuid(),
        organisationId: z.uuid(),
        organisationName: z.string(),
        decidedBy: z.uuid(),
        decidedByName: z.string(),
        createdAt: timestamp(),
        purpose: z.string(),
        purposeDetail: z.string(),
        requestFrom: z.string().nullable(),
        recipientOrganisationId: z.uuid().nullable(),
        recipientOrganisationName: z.string().nullable(),
        recipientTeamId: z.uuid().nullable(),
        recipientTeamName: z.string().nullable(),
        recipientUserId: z.uuid().nullable(),
        recipientUserName: z.string().nullable(),
        recipientDescription: z.string().nullable(),
        identifies: z.boolean(),
        confidential: z.boolean(),
        consentPosition: z.enum(['given', 'refused', 'withdrawn', 'not_sought', 'not_needed']),
        consentId: z.uuid().nullable(),
        notSeekingReason: z.string().nullable(),
        notSeekingDetail: z.string().nullable(),
        riskChild: z.boolean(),
        riskAdult: z.boolean(),
        publicInterest: z.boolean(),
        riskDetail: z.string().nullable(),
        legalBases: z.array(z.string()),
        categories: z.array(category),
        minimumNecessary: z.string().nullable(),
        withheld: z.string().nullable(),
        personTold: z.enum(['told', 'will_tell', 'not_told']),
        notToldReason: z.string().nullable(),
        outcome: z.enum(['share', 'share_in_part', 'not_share']),
        reasons: z.string(),
        withConsent: z.boolean(),
        override: z.boolean().meta({ description: 'Shared against a refusal or withdrawal of consent' }),
        emergency: z.boolean(),
        routine: z.boolean(),
        agreementId: z.uuid().nullable(),
        agreementReference: z.string().nullable(),
        agreementStatus: z.enum(['covered', 'not_covered', 'no_agreement', 'not_applicable']).nullable(),
        oneOffJustification: z.string().nullable(),
        approvalRequired: z.boolean(),
        approvalStatus: z.enum(['pending', 'approved', 'declined']).nullable(),
        approvalRequestedAt: timestamp().nullable(),
        approvedBy: z.uuid().nullable(),
        approvedByName: z.string().nullable(),
        approvedAt: timestamp().nullable(),
        approvalNote: z.string().nullable(),
        lastChasedAt: timestamp().nullable(),
        chaseCount: z.number().int(),
        status: z.enum(['awaiting_approval', 'shared', 'recorded', 'declined']),
        disclosureId: z.uuid().nullable(),
      })
      .meta({ description: 'A recorded decision to share, share in part, or not share, with its reasons, legal basis and approval' }),
  );
  const DecisionWithItems = registry.component('SharingDecisionWithItems', Decision.extend({ items: z.array(RecordItem) }));
  const DisclosedItem = z.object({ type: z.string(), id: z.uuid().nullable(), category });
  const Disclosure = registry.component(
    'Disclosure',
    z.object({
      subjectId: z.uuid(),
      id: z.uuid(),
      decisionId: z.uuid().nullable(),
      senderUserId: z.uuid().nullable(),
      senderName: z.string().nullable(),
      senderOrganisationId: z.uuid().nullable(),
      senderOrganisationName: z.string().nullable(),
      recipientUserId: z.uuid().nullable(),
      recipientUserName: z.string().nullable(),
      recipientTeamId: z.uuid().nullable(),
      recipientTeamName: z.string().nullable(),
      recipientOrganisationId: z.uuid().nullable(),
      recipientOrganisationName: z.string().nullable(),
      purpose: z.string().nullable(),
      message: z.string().nullable(),
      categories: z.array(category),
      items: z.array(DisclosedItem),
      grantedAt: timestamp(),
      expiresAt: timestamp().nullable(),
      acknowledgedAt: timestamp().nullable(),
      acknowledgedBy: z.uuid().nullable(),
      revokedAt: timestamp().nullable(),
      revokedBy: z.uuid().nullable(),
      revokeReason: z.string().nullable(),
    }),
  );
  const DisclosureView = registry.component(
    'DisclosureView',
    Disclosure.extend({
      shown: z.array(RecordItem).meta({ description: 'Exactly the items sent, as the recipient may see them now' }),
      unavailable: z.array(z.object({ type: z.string(), id: z.uuid().nullable(), reason: z.string() })),
      subjectName: z.string().nullable(),
      subjectDateOfBirth: isoDate().nullable(),
    }),
  );
  const DecisionResult = registry.component(
    'SharingDecisionResult',
    z.object({
      id: z.uuid(),
      status: z.enum(['awaiting_approval', 'shared', 'recorded', 'declined']),
      approvalRequired: z.boolean(),
      disclosureId: z.uuid().nullable(),
      flags: z.array(z.string()).meta({ description: 'Recorded concerns that did not stop the decision, e.g. a routine share outside its agreement' }),
      repeated: z.boolean(),
    }),
  );
  return { Purpose, Consent, Coverage, AgreementCoverage, RecordItem, Withheld, Decision, DecisionWithItems, Disclosure, DisclosureView, DecisionResult };
}

const subjectParams = z.object({ id: z.uuid('Must be a person id (a UUID)') });
const itemParams = z.object({ id: z.uuid('Must be a person id (a UUID)'), itemId: z.uuid('Must be an id (a UUID)') });

export function registerSharingRoutes(registry: ApiRegistry, services: Services): void {
  const s = registerSharingSchemas(registry);
  const { consents, sharing } = services;
  const forbidden = { description: 'The access policy does not allow this: the error says why', schema: ErrorSchema };
  const notFound = { description: 'Not found', schema: ErrorSchema };
  const invalid = { description: 'What is wrong, field by field', schema: ErrorSchema };

  // ----- consent -----
  const consentTags = ['Consent'];
  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/consents',
    operationId: 'listConsents',
    summary: 'A person\'s consent history',
    description: 'Every statement of consent given or refused, newest first, with withdrawals. Needs a working basis on the person; audited.',
    tags: consentTags,
    secured: true,
    request: { params: subjectParams },
    responses: { 200: { description: 'The history', schema: z.object({ consents: z.array(s.Consent) }) }, 403: forbidden, 404: notFound },
    handler: async ({ params, req }) => ({ consents: await consents.list(req.principal!, params.id, auditContext(req)) }),
  });
  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/consents',
    operationId: 'recordConsent',
    summary: 'Record consent given or refused',
    description:
      'Who gave or refused it and whether they could decide (Gillick competence under 16, the Mental Capacity Act from 16), for which purposes, recipients and kinds of information, how, ' +
      'with optional evidence (a PDF, PNG or JPEG of the signed form, base64, up to 5 MB), and from when until when. Idempotency-Key makes retries safe.',
    tags: consentTags,
    secured: true,
    request: { params: subjectParams, body: consentSchema },
    responses: { 201: { description: 'Recorded', schema: z.object({ id: z.uuid(), repeated: z.boolean() }) }, 200: { description: 'Already recorded by this Idempotency-Key', schema: z.object({ id: z.uuid(), repeated: z.boolean() }) }, 400: invalid, 403: forbidden },
    handler: async ({ params, body, req, res }) => {
      const r = await within('body', () => consents.record(req.principal!, params.id, body, auditContext(req), { requestKey: requestKey(req), source: 'api' }));
      res.status(r.repeated ? 200 : 201).json(r);
    },
  });
  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/consents/:itemId/withdraw',
    operationId: 'withdrawConsent',
    summary: 'Record that consent was withdrawn',
    tags: consentTags,
    secured: true,
    request: { params: itemParams, body: withdrawSchema },
    responses: { 200: { description: 'Withdrawn', schema: s.Consent }, 400: invalid, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req }) => {
      await within('body', () => consents.withdraw(req.principal!, params.id, params.itemId, body, auditContext(req)));
      return consents.get(req.principal!, params.id, params.itemId, auditContext(req));
    },
  });
  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/consents/:itemId/evidence',
    operationId: 'getConsentEvidence',
    summary: 'The evidence file of a consent (the signed form)',
    tags: consentTags,
    secured: true,
    request: { params: itemParams },
    responses: { 200: { description: 'The file, with its content type' }, 403: forbidden, 404: notFound },
    handler: async ({ params, req, res }) => {
      const f = await consents.evidence(req.principal!, params.id, params.itemId, auditContext(req));
      res.status(200).type(f.contentType).setHeader('Content-Disposition', `attachment; filename="${f.filename.replace(/"/g, '')}"`);
      res.setHeader('X-Content-SHA256', f.sha256);
      res.end(Buffer.from(f.content));
    },
  });
  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/consent-coverage',
    operationId: 'checkConsent',
    summary: 'Does consent on record cover this share?',
    description: 'Says whether consent covers a purpose, recipient and kinds of information, and says plainly when consent exists only for another purpose.',
    tags: consentTags,
    secured: true,
    request: { params: subjectParams, query: coverageQuerySchema },
    responses: { 200: { description: 'The answer', schema: s.Coverage }, 403: forbidden },
    handler: async ({ params, query, req }) => within('query', () => consents.coverage(req.principal!, params.id, query, auditContext(req))),
  });

  // ----- record notes -----
  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/notes',
    operationId: 'addNote',
    summary: 'Record a note, alert, assessment or risk your organisation holds about the person',
    tags: ['Sharing'],
    secured: true,
    request: { params: subjectParams, body: noteSchema },
    responses: { 201: { description: 'Recorded', schema: z.object({ id: z.uuid() }) }, 400: invalid, 403: forbidden },
    handler: async ({ params, body, req, res }) => {
      res.status(201).json({ id: await within('body', () => sharing.addNote(req.principal!, params.id, body, auditContext(req))) });
    },
  });
  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/notes',
    operationId: 'listNotes',
    summary: 'The agencies\' notes about the person that you may see',
    tags: ['Sharing'],
    secured: true,
    request: { params: subjectParams },
    responses: { 200: { description: 'Notes, and what was withheld', schema: z.object({ notes: z.array(s.RecordItem), withheld: z.array(s.Withheld) }) }, 403: forbidden },
    handler: async ({ params, req }) => sharing.notes(req.principal!, params.id, auditContext(req)),
  });

  // ----- the decision -----
  const tags = ['Sharing'];
  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/shareable',
    operationId: 'shareableItems',
    summary: 'The items of the record you may pass on',
    tags,
    secured: true,
    request: { params: subjectParams },
    responses: { 200: { description: 'Items to choose from', schema: z.object({ items: z.array(s.RecordItem), categories: z.array(category), withheld: z.array(s.Withheld) }) }, 403: forbidden },
    handler: async ({ params, req }) => sharing.shareable(req.principal!, params.id, auditContext(req)),
  });
  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/sharing-context',
    operationId: 'sharingContext',
    summary: 'What the guided decision fills in: consent on record and the agreement position',
    tags,
    secured: true,
    request: { params: subjectParams, query: contextQuerySchema },
    responses: { 200: { description: 'Consent and agreement', schema: z.object({ coverage: s.Coverage, agreement: s.AgreementCoverage }) }, 403: forbidden },
    handler: async ({ params, query, req }) => within('query', () => sharing.context(req.principal!, params.id, query, auditContext(req))),
  });
  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/sharing-decisions',
    operationId: 'recordSharingDecision',
    summary: 'Record a sharing decision: share, share in part, or do not share',
    description:
      'Follows the government guidance: purpose, whether the information identifies someone and is confidential, the consent position (checked against the consent records), ' +
      'the reason consent was not sought or not followed, the risk or public interest, the legal bases (an article 6 basis; article 9 for health; a schedule 1 condition for criminal offence data), ' +
      'the minimum necessary, and whether the person is told. A share with covering consent is sent at once; a share without consent waits for a manager\'s approval, ' +
      'unless it is an emergency, when it goes at once and approval is requested and chased. A decision not to share is recorded like any other. Idempotency-Key makes retries safe.',
    tags,
    secured: true,
    request: { params: subjectParams, body: decisionSchema },
    responses: {
      201: { description: 'Recorded', schema: s.DecisionResult },
      200: { description: 'Already recorded by this Idempotency-Key', schema: s.DecisionResult },
      400: invalid,
      403: forbidden,
    },
    handler: async ({ params, body, req, res }) => {
      const r = await within('body', () => sharing.decide(req.principal!, params.id, body, auditContext(req), { requestKey: requestKey(req) }));
      res.status(r.repeated ? 200 : 201).location(`/api/v1/people/${params.id}/sharing-decisions/${r.id}`).json(r);
    },
  });
  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/sharing-decisions/:itemId',
    operationId: 'getSharingDecision',
    summary: 'A sharing decision, with the items it shares',
    tags,
    secured: true,
    request: { params: itemParams },
    responses: { 200: { description: 'The decision', schema: s.DecisionWithItems }, 403: forbidden, 404: notFound },
    handler: async ({ params, req }) => sharing.decision(req.principal!, params.id, params.itemId, auditContext(req)),
  });
  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/sharing-decisions/:itemId/approval',
    operationId: 'settleSharingApproval',
    summary: 'Approve or decline a share without consent (a team manager of the deciding organisation, not the decider)',
    description: 'Approving sends what was chosen (or confirms an emergency share already sent); declining stops it, and withdraws access to an emergency share.',
    tags,
    secured: true,
    request: { params: itemParams, body: approvalSchema },
    responses: { 200: { description: 'Settled', schema: z.object({ status: z.enum(['awaiting_approval', 'shared', 'recorded', 'declined']), disclosureId: z.uuid().nullable() }) }, 400: invalid, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req }) => within('body', () => sharing.settle(req.principal!, params.id, params.itemId, body, auditContext(req))),
  });
  registry.add({
    method: 'get',
    path: '/api/v1/sharing-decisions',
    operationId: 'reportSharingDecisions',
    summary: 'Your organisation\'s sharing decisions, filtered (team managers and the IG lead)',
    description: 'Filter by with or without consent, overrides, approval status (pending approvals), outcome (decisions not to share), emergency and date range. Add format=csv for a CSV file.',
    tags,
    secured: true,
    request: { query: reportSchema.extend({ format: z.enum(['json', 'csv']).default('json') }) },
    responses: { 200: { description: 'Decisions, newest first', schema: z.object({ decisions: z.array(s.Decision) }) }, 403: forbidden },
    handler: async ({ query, req, res }) => {
      const { format, ...filter } = query;
      const rows = await within('query', () => sharing.report(req.principal!, filter, auditContext(req)));
      if (format === 'csv') {
        res.status(200).type('text/csv').setHeader('Content-Disposition', 'attachment; filename="sharing-decisions.csv"');
        res.send(SharingService.reportCsv(rows));
        return;
      }
      return { decisions: rows };
    },
  });
  registry.add({
    method: 'get',
    path: '/api/v1/sharing-approvals',
    operationId: 'pendingApprovals',
    summary: 'Decisions waiting for your approval (team managers)',
    tags,
    secured: true,
    responses: { 200: { description: 'Pending, oldest first', schema: z.object({ decisions: z.array(s.Decision) }) }, 403: forbidden },
    handler: async ({ req }) => ({ decisions: await sharing.approvals(req.principal!, auditContext(req)) }),
  });

  // ----- disclosures -----
  registry.add({
    method: 'get',
    path: '/api/v1/inbox',
    operationId: 'inbox',
    summary: 'Information shared with you, your teams or your organisation',
    tags,
    secured: true,
    responses: { 200: { description: 'Newest first', schema: z.object({ disclosures: z.array(s.DisclosureView) }) } },
    handler: async ({ req }) => ({ disclosures: await sharing.inbox(req.principal!, auditContext(req)) }),
  });
  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/disclosures/:itemId',
    operationId: 'openDisclosure',
    summary: 'Open something shared with you: exactly the items sent, while access lasts',
    tags,
    secured: true,
    request: { params: itemParams },
    responses: { 200: { description: 'The disclosure', schema: s.DisclosureView }, 403: forbidden, 404: notFound },
    handler: async ({ params, req }) => sharing.openDisclosure(req.principal!, params.id, params.itemId, auditContext(req)),
  });
  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/disclosures/:itemId/acknowledge',
    operationId: 'acknowledgeDisclosure',
    summary: 'Acknowledge receipt',
    tags,
    secured: true,
    request: { params: itemParams },
    responses: { 200: { description: 'Acknowledged', schema: z.object({ acknowledged: z.literal(true) }) }, 400: invalid, 404: notFound },
    handler: async ({ params, req }) => {
      await sharing.acknowledge(req.principal!, params.id, params.itemId, auditContext(req));
      return { acknowledged: true as const };
    },
  });
  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/disclosures/:itemId/revoke',
    operationId: 'revokeDisclosure',
    summary: 'Withdraw the recipient\'s access (the sender, or a manager or IG lead of the sending organisation)',
    tags,
    secured: true,
    request: { params: itemParams, body: revokeSchema },
    responses: { 200: { description: 'Withdrawn', schema: z.object({ revoked: z.literal(true) }) }, 400: invalid, 403: forbidden, 404: notFound },
    handler: async ({ params, body, req }) => {
      await within('body', () => sharing.revoke(req.principal!, params.id, params.itemId, body, auditContext(req)));
      return { revoked: true as const };
    },
  });

  // ----- history and subject access -----
  registry.add({
    method: 'get',
    path: '/api/v1/people/:id/sharing-history',
    operationId: 'sharingHistory',
    summary: 'What was shared about the person, with whom, why and on what basis (IG lead and lead professional)',
    tags,
    secured: true,
    request: { params: subjectParams },
    responses: { 200: { description: 'Decisions, disclosures and consent history', schema: z.object({ decisions: z.array(s.Decision), disclosures: z.array(s.Disclosure), consents: z.array(s.Consent.omit({ state: true })) }) }, 403: forbidden },
    handler: async ({ params, req }) => sharing.history(req.principal!, params.id, auditContext(req)),
  });
  registry.add({
    method: 'post',
    path: '/api/v1/people/:id/subject-access',
    operationId: 'subjectAccessExport',
    summary: 'Everything held about the person, for a subject access request (the IG lead)',
    description: 'Includes the sharing history. A shielded person\'s whereabouts and other agencies\' sensitive services stay withheld and are listed as such.',
    tags,
    secured: true,
    request: { params: subjectParams, body: z.object({ reference: z.string().meta({ description: 'The request\'s reference' }) }) },
    responses: { 200: { description: 'The export (JSON)' }, 403: forbidden },
    handler: async ({ params, body, req }) => within('body', () => sharing.subjectAccess(req.principal!, params.id, body, auditContext(req))),
  });
}
