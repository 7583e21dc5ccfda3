import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { consentFromFhir, consentToFhir, type Directory, type Issue, type Json } from '../../fhir/consent-mapping.ts';
import { newId } from '../../ids.ts';
import { AccessDeniedError } from '../../policy/policy-gate.ts';
import type { Services } from '../../services/index.ts';
import { actorOf, ForbiddenError, NotFoundError, ValidationError, type Principal } from '../../services/principal.ts';
import { appVersion } from '../../version.ts';
import { auditContext } from '../request-context.ts';

/**
 * HL7 FHIR R4 (4.0.1) API: Consent read, search and create, and the CapabilityStatement.
 * Bearer tokens as for /api/v1 (checked before any body is read); every consent passes through
 * ConsentService (the access policy and the audit log). Errors are OperationOutcomes.
 */

const FHIR_JSON = 'application/fhir+json';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** When this server's FHIR capabilities last changed. */
const CAPABILITY_DATE = '2026-11-22';

interface OutcomeIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: string;
  message: string;
  expression?: string | undefined;
}

export function operationOutcome(issues: readonly OutcomeIssue[]): Json {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({ severity: i.severity, code: i.code, details: { text: i.message }, ...(i.expression ? { expression: [i.expression] } : {}) })),
  };
}

class FhirHttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly expression: string | undefined;
  constructor(status: number, code: string, message: string, expression?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.expression = expression;
  }
}

function send(res: Response, status: number, body: Json): void {
  res.status(status).type(FHIR_JSON).json(body);
}

function baseUrl(services: Services, req: Request): string {
  return services.config.publicUrl ?? `${req.protocol}://${req.get('host')}`;
}

async function directory(services: Services): Promise<Directory> {
  const [orgs, types] = await Promise.all([services.repositories.organisations.list(), services.repositories.organisations.types()]);
  const scheme = new Map(types.map((t) => [t.code, t.codeScheme]));
  return {
    organisations: orgs.map((o) => ({ id: o.id, name: o.name, typeCode: o.typeCode, officialCode: o.officialCode, codeScheme: scheme.get(o.typeCode) ?? '' })),
    organisationTypes: types,
  };
}

export function capabilityStatement(base: string): Json {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: CAPABILITY_DATE,
    publisher: 'Team Around',
    kind: 'instance',
    software: { name: 'Team Around', version: appVersion().version },
    implementation: { description: 'Team Around: consent to share information between agencies, as FHIR R4 Consent resources', url: `${base}/api/fhir` },
    fhirVersion: '4.0.1',
    format: [FHIR_JSON, 'json'],
    rest: [
      {
        mode: 'server',
        documentation: 'The mapping between Team Around consent records and Consent resources is described in docs/decisions/0013-fhir-consent-mapping.md.',
        security: {
          cors: false,
          description:
            'Every interaction except this statement needs "Authorization: Bearer <API token>" (the tokens of /api/v1). Every consent read or recorded passes the access policy and is audited.',
        },
        resource: [
          {
            type: 'Consent',
            documentation: 'Consent to share information about a person (and its refusal), for stated purposes, recipients and kinds of information.',
            interaction: [
              { code: 'read', documentation: 'One consent, when the access policy allows the caller to see the person\'s consent records' },
              { code: 'search-type', documentation: 'The consents of the people the caller works with, or of one person (patient)' },
              { code: 'create', documentation: 'Records a consent given (provision.type permit) or refused (deny); anything that cannot be held without changing what was decided is refused with an OperationOutcome' },
            ],
            versioning: 'no-version',
            readHistory: false,
            updateCreate: false,
            conditionalCreate: false,
            searchParam: [
              {
                name: 'patient',
                definition: 'http://hl7.org/fhir/SearchParameter/clinical-patient',
                type: 'reference',
                documentation: 'Patient/<id> or <id>: one person\'s consents (the access policy decides whether the caller may see them)',
              },
            ],
          },
        ],
      },
    ],
  };
}

function searchBundle(self: string, base: string, resources: Json[], outcome?: Json): Json {
  const bundle = {
    resourceType: 'Bundle',
    id: newId(),
    meta: { lastUpdated: new Date().toISOString() },
    type: 'searchset',
    total: resources.length,
    link: [{ relation: 'self', url: self }],
  };
  const entry = [
    ...resources.map((r) => ({ fullUrl: `${base}/api/fhir/Consent/${String(r.id)}`, resource: r, search: { mode: 'match' } })),
    ...(outcome ? [{ fullUrl: `urn:uuid:${newId()}`, resource: outcome, search: { mode: 'outcome' } }] : []),
  ];
  // FHIR JSON never has an empty array.
  return entry.length ? { ...bundle, entry } : bundle;
}

/** The patient named in a posted resource, for the audit entry of a refused import. */
function patientOf(body: unknown): string | undefined {
  const ref = (body as { patient?: { reference?: unknown } } | undefined)?.patient?.reference;
  return typeof ref === 'string' ? ref.slice(0, 200) : undefined;
}

export function fhirRoutes(services: Services, logger: Logger): Router {
  const router = Router();
  const { consents } = services;

  router.use('/api/fhir', (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  // Public, like every FHIR server's: it holds nothing about anyone.
  router.get('/api/fhir/metadata', (req: Request, res: Response) => {
    send(res, 200, capabilityStatement(baseUrl(services, req)));
  });

  router.use('/api/fhir', async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return next(new FhirHttpError(401, 'login', header ? 'The Authorization header must be "Bearer <token>"' : 'A bearer token is required'));
    const principal = await services.auth.authenticateApiToken(match[1]!);
    if (!principal) {
      await services.audit.record({
        actor: { userId: null, label: 'api', organisationId: null, roles: [] },
        action: 'api.authenticate',
        outcome: 'failure',
        reason: 'unknown, expired or revoked token',
        context: auditContext(req),
      });
      return next(new FhirHttpError(401, 'login', 'The bearer token is not valid, has expired or was revoked'));
    }
    req.principal = principal;
    next();
  });

  router.get('/api/fhir/Consent', async (req: Request, res: Response) => {
    const p = req.principal!;
    const base = baseUrl(services, req);
    for (const k of Object.keys(req.query)) {
      if (k !== 'patient' && k !== '_format') throw new FhirHttpError(400, 'not-supported', `The search parameter ${k} is not supported: Consent is searched by patient only`, k);
    }
    const format = req.query._format;
    if (format !== undefined && !['json', 'application/json', FHIR_JSON].includes(String(format))) {
      throw new FhirHttpError(406, 'not-supported', `_format ${String(format)} is not served: this server answers ${FHIR_JSON}`, '_format');
    }
    const patient = req.query.patient;
    if (patient === undefined) {
      const found = await consents.visible(p, auditContext(req), { purpose: 'FHIR Consent search' });
      const dir = await directory(services);
      send(res, 200, searchBundle(`${base}/api/fhir/Consent`, base, found.map((c) => consentToFhir(c, dir, { baseUrl: base }))));
      return;
    }
    if (typeof patient !== 'string') throw new FhirHttpError(400, 'invalid', 'Give patient once', 'patient');
    const m = /^(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/.exec(patient);
    if (!m) throw new FhirHttpError(400, 'invalid', `patient must be Patient/<id> or <id>, not ${patient.slice(0, 100)}`, 'patient');
    const self = `${base}/api/fhir/Consent?patient=${encodeURIComponent(`Patient/${m[1]}`)}`;
    const unknown = () => operationOutcome([{ severity: 'warning', code: 'not-found', message: `Patient/${m[1]} is not a person recorded here`, expression: 'patient' }]);
    if (!UUID.test(m[1]!)) {
      send(res, 200, searchBundle(self, base, [], unknown()));
      return;
    }
    try {
      const found = await consents.list(p, m[1]!.toLowerCase(), auditContext(req), 'FHIR Consent search');
      const dir = await directory(services);
      send(res, 200, searchBundle(self, base, found.map((c) => consentToFhir(c, dir, { baseUrl: base }))));
    } catch (err) {
      if (err instanceof NotFoundError) return send(res, 200, searchBundle(self, base, [], unknown()));
      throw err;
    }
  });

  router.get('/api/fhir/Consent/:id', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    if (!UUID.test(id)) throw new FhirHttpError(404, 'not-found', `Consent/${id.slice(0, 64)} is not recorded here`);
    const c = await consents.getById(req.principal!, id.toLowerCase(), auditContext(req));
    const base = baseUrl(services, req);
    send(res, 200, consentToFhir(c, await directory(services), { baseUrl: base }));
  });

  // A consent's evidence (a scanned form, base64) may be up to 5 MB.
  const body = express.json({ type: ['application/json', FHIR_JSON], limit: '8mb' });
  router.post(
    '/api/fhir/Consent',
    (req: Request, _res: Response, next: NextFunction) => {
      if (!req.is(['application/json', FHIR_JSON])) {
        return next(new FhirHttpError(415, 'not-supported', `Send the Consent as ${FHIR_JSON} (or application/json), not ${req.get('content-type') ?? 'without a Content-Type'}`));
      }
      next();
    },
    body,
    async (req: Request, res: Response) => {
      const p = req.principal!;
      const ctx = auditContext(req);
      const dir = await directory(services);
      const result = consentFromFhir(req.body, dir, { organisationId: p.organisationId, organisationName: p.organisationName });
      if (!result.ok) {
        await auditRefused(p, req, result.issues);
        return send(res, result.status, operationOutcome(result.issues));
      }
      let recorded: { id: string; repeated: boolean };
      try {
        recorded = await consents.record(p, result.subjectId, result.input, ctx, { source: 'fhir', externalId: result.externalId });
      } catch (err) {
        let issues: Issue[] | undefined;
        if (err instanceof ValidationError) {
          issues = Object.entries(err.fields).map(([field, message]) => ({ severity: 'error', code: 'business-rule', expression: result.expressionFor(field), message }));
        } else if (err instanceof NotFoundError) {
          issues = [{ severity: 'error', code: 'not-found', expression: 'Consent.patient', message: `Consent.patient: Patient/${result.subjectId} is not a person recorded here` }];
        }
        if (!issues) throw err;
        await auditRefused(p, req, issues);
        return send(res, 422, operationOutcome(issues));
      }
      const base = baseUrl(services, req);
      const c = await consents.get(p, result.subjectId, recorded.id, ctx);
      res.setHeader('Location', `${base}/api/fhir/Consent/${recorded.id}`);
      send(res, recorded.repeated ? 200 : 201, consentToFhir(c, dir, { baseUrl: base }));
    },
  );

  async function auditRefused(p: Principal, req: Request, issues: readonly Issue[]): Promise<void> {
    const patient = patientOf(req.body);
    const subject = patient ? /^Patient\/([0-9a-f-]{36})$/i.exec(patient)?.[1] : undefined;
    await services.audit.record({
      actor: actorOf(p),
      action: 'consent.import',
      outcome: 'failure',
      subjectType: subject ? 'person' : null,
      subjectId: subject ?? null,
      purpose: 'record consent to share',
      reason: 'FHIR Consent refused',
      details: { patient: patient ?? null, issues: issues.slice(0, 50).map((i) => ({ expression: i.expression, code: i.code })) },
      context: auditContext(req),
    });
  }

  for (const path of ['/api/fhir/Consent', '/api/fhir/Consent/:id', '/api/fhir/metadata']) {
    router.all(path, (req: Request, res: Response) => {
      const allow = path === '/api/fhir/Consent' ? 'GET, POST' : 'GET';
      res.setHeader('Allow', allow);
      send(res, 405, operationOutcome([{ severity: 'error', code: 'not-supported', message: `${req.method} is not supported here (${allow})` }]));
    });
  }
  router.use('/api/fhir', (req: Request, res: Response) => {
    send(res, 404, operationOutcome([{ severity: 'error', code: 'not-found', message: `No FHIR route ${req.method} ${req.originalUrl.split('?')[0]}: this server has Consent and metadata` }]));
  });

  router.use('/api/fhir', (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const type = (err as { type?: string })?.type;
    let status = 500;
    let code = 'exception';
    let message = 'Sorry, something went wrong. Try again later.';
    let expression: string | undefined;
    if (err instanceof FhirHttpError) {
      ({ status, code, message, expression } = err);
      if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    } else if (type === 'entity.parse.failed') {
      [status, code, message] = [400, 'structure', 'The request body is not valid JSON'];
    } else if (type === 'entity.too.large') {
      [status, code, message] = [413, 'too-long', 'The request body is larger than 8 MB'];
    } else if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
      [status, code, message] = [415, 'not-supported', (err as Error).message];
    } else if (err instanceof AccessDeniedError || err instanceof ForbiddenError) {
      [status, code, message] = [403, 'forbidden', err.message];
    } else if (err instanceof NotFoundError) {
      [status, code, message] = [404, 'not-found', err.message];
    } else if (err instanceof ValidationError) {
      [status, code, message] = [400, 'invalid', err.message];
    } else {
      logger.error({ err, requestId: req.requestId }, 'FHIR request failed');
      message = `${message} (request ${req.requestId})`;
    }
    if (res.headersSent) return;
    send(res, status, operationOutcome([{ severity: status >= 500 ? 'fatal' : 'error', code, message, expression }]));
  });
  return router;
}
