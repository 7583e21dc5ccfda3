import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSIONS, SYSTEMS } from '../../src/fhir/consent-mapping.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';
import { consentExamples, fhirFixturesPresent, fhirValidator } from '../support/fhir.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const CLI = { userId: null, label: 'test', organisationId: null, roles: [] };
const USERS = {
  sw: 'social.worker@csc.northbridge.example',
  housing: 'housing.officer@homes.northbridge.example',
} as const;
type Who = keyof typeof USERS;
const FHIR_JSON = /^application\/fhir\+json; charset=utf-8$/;

describe(`FHIR Consent API (${describeDatabase()})`, () => {
  let t: TestApp;
  const tokens = {} as Record<Who, string>;
  const orgIds = {} as Record<Who, string>;
  let nhsId: string;
  let child: string;
  let adult: string;
  /** Checks a served resource against HL7's R4 schema (when the fixtures are there: see test/support/fhir.ts). */
  let schemaProblems: ((r: unknown) => string[]) | null = null;

  const v1 = (who: Who, method: 'get' | 'post', path: string, body?: unknown) => {
    const r = request(t.app)[method](path).set('Authorization', `Bearer ${tokens[who]}`);
    return body === undefined ? r : r.send(body as object);
  };
  const fhirGet = (who: Who, path: string) => request(t.app).get(path).set('Authorization', `Bearer ${tokens[who]}`).set('Accept', 'application/fhir+json');
  const fhirPost = (who: Who, body: unknown) =>
    request(t.app).post('/api/fhir/Consent').set('Authorization', `Bearer ${tokens[who]}`).set('Content-Type', 'application/fhir+json').send(JSON.stringify(body));
  /** The response is FHIR JSON and its body a valid R4 resource. */
  const served = (res: request.Response, status: number): Json => {
    expect(res.status, JSON.stringify(res.body, null, 1).slice(0, 3000)).toBe(status);
    expect(res.headers['content-type']).toMatch(FHIR_JSON);
    if (schemaProblems) expect(schemaProblems(res.body)).toEqual([]);
    return res.body as Json;
  };
  const ok = async (p: request.Test, status = 200) => {
    const res = await p;
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res.body;
  };
  const issues = (outcome: Json) => (outcome.issue as Json[]).map((i) => ({ code: i.code, expression: i.expression?.[0], text: i.details.text }));

  beforeAll(async () => {
    t = await createTestApp();
    if (fhirFixturesPresent) schemaProblems = fhirValidator();
    for (const [who, email] of Object.entries(USERS) as Array<[Who, string]>) {
      const created = await t.services.auth.createApiToken(email, { by: CLI });
      tokens[who] = created.token;
      orgIds[who] = created.user.organisationId;
    }
    nhsId = (await t.services.repositories.organisations.findByCode('nhs_trust', 'RZ9'))!.id;
    const person = async (givenNames: string, dateOfBirth: string) => {
      const id = (
        await ok(
          v1('sw', 'post', '/api/v1/people', { givenNames, familyName: 'Ashdown', sex: 'female', dobPrecision: 'exact', dateOfBirth, address: { line1: '3 Mill Row', town: 'Northbridge', postcode: 'NB1 2AB' } }),
          201,
        )
      ).subjectId as string;
      await ok(v1('sw', 'post', `/api/v1/people/${id}/involvements`, { role: 'allocated_social_worker', startDate: '2025-01-01' }), 201);
      return id;
    };
    child = await person('Poppy', '2019-03-04');
    adult = await person('Dana', '1984-07-19');
  }, 120_000);
  afterAll(async () => t?.close());

  it('publishes a CapabilityStatement listing Consent read, search and create, without a token', async () => {
    const cs = served(await request(t.app).get('/api/fhir/metadata'), 200);
    expect(cs).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', kind: 'instance', status: 'active' });
    const consent = cs.rest[0].resource.find((r: Json) => r.type === 'Consent');
    expect(consent.interaction.map((i: Json) => i.code)).toEqual(['read', 'search-type', 'create']);
    expect(consent.searchParam.map((s: Json) => s.name)).toEqual(['patient']);
  });

  it('answers 401 with an OperationOutcome without a valid bearer token, before reading any body', async () => {
    const none = await request(t.app).get('/api/fhir/Consent');
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(issues(served(none, 401))).toEqual([{ code: 'login', expression: undefined, text: 'A bearer token is required' }]);
    const bad = await request(t.app).post('/api/fhir/Consent').set('Authorization', 'Bearer ta_not_a_real_token_000000000').set('Content-Type', 'application/fhir+json').send('{not json');
    expect(issues(served(bad, 401))[0]!.text).toMatch(/not valid, has expired or was revoked/);
  });

  it('takes FHIR JSON or JSON only, and says what is wrong with the body', async () => {
    const form = await request(t.app).post('/api/fhir/Consent').set('Authorization', `Bearer ${tokens.sw}`).type('form').send({ a: 1 });
    expect(issues(served(form, 415))[0]!.text).toMatch(/Send the Consent as application\/fhir\+json/);
    const broken = await request(t.app).post('/api/fhir/Consent').set('Authorization', `Bearer ${tokens.sw}`).set('Content-Type', 'application/json').send('{"resourceType": ');
    expect(issues(served(broken, 400))).toEqual([{ code: 'structure', expression: undefined, text: 'The request body is not valid JSON' }]);
    const patient = served(await fhirPost('sw', { resourceType: 'Patient' }), 400);
    expect(issues(patient)).toEqual([{ code: 'structure', expression: 'Consent.resourceType', text: 'Consent.resourceType: resourceType must be "Consent", not "Patient"' }]);
  });

  it('exports a consent recorded in the app, and re-imports it to an equivalent record (round trip)', async () => {
    const recorded = await ok(
      v1('sw', 'post', `/api/v1/people/${child}/consents`, {
        decision: 'given',
        givenBy: 'parental_responsibility',
        givenBySubjectId: adult,
        givenByName: 'Dana Ashdown',
        capacityAssessment: 'presumed',
        capacityOutcome: 'capable',
        purposes: ['early_help', 'care_and_support'],
        recipientOrganisationIds: [nhsId],
        recipientOrganisationTypes: ['school'],
        categories: ['identity', 'health', 'education'],
        exceptions: [{ type: 'deny', organisationIds: [nhsId], categories: ['health'], from: '2026-02-01', until: '2026-03-31' }],
        method: 'written',
        validFrom: '2026-01-10',
        validUntil: '2027-01-09',
        notes: 'Agreed at the team around the family meeting',
      }),
      201,
    );
    const bundle = served(await fhirGet('sw', `/api/fhir/Consent?patient=Patient/${child}`), 200);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    expect(bundle.link).toEqual([{ relation: 'self', url: expect.stringMatching(new RegExp(`/api/fhir/Consent\\?patient=Patient%2F${child}$`)) }]);
    const entry = bundle.entry[0];
    expect(entry.fullUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/api/fhir/Consent/${recorded.id}$`));
    expect(entry.search).toEqual({ mode: 'match' });
    const exported = entry.resource as Json;
    expect(exported).toMatchObject({ id: recorded.id, status: 'active', patient: { reference: `Patient/${child}` }, provision: { type: 'permit' } });
    // The bare id works as the patient parameter too, and a read gives the same resource.
    expect(served(await fhirGet('sw', `/api/fhir/Consent?patient=${child}`), 200).entry[0].resource.id).toBe(recorded.id);
    const read = served(await fhirGet('sw', `/api/fhir/Consent/${recorded.id}`), 200);
    expect({ ...read, meta: null }).toEqual({ ...exported, meta: null });

    const created = await fhirPost('sw', exported);
    const reimported = served(created, 201);
    expect(created.headers.location).toMatch(new RegExp(`/api/fhir/Consent/${reimported.id}$`));
    expect(reimported.id).not.toBe(recorded.id);
    const history = (await ok(v1('sw', 'get', `/api/v1/people/${child}/consents`))).consents as Json[];
    const original = history.find((c) => c.id === recorded.id)!;
    const copy = history.find((c) => c.id === reimported.id)!;
    const same = (c: Json) => {
      const { id: _id, recordedAt: _at, source: _source, ...rest } = c;
      return rest;
    };
    expect(copy.source).toBe('fhir');
    expect(same(copy)).toEqual(same(original));
  });

  it('shows a withdrawal as status inactive with the withdrawal extension; a refusal as an active deny', async () => {
    const given = await ok(
      v1('sw', 'post', `/api/v1/people/${adult}/consents`, {
        decision: 'given',
        givenBy: 'person',
        capacityAssessment: 'presumed',
        capacityOutcome: 'capable',
        purposes: ['housing_support'],
        recipientOrganisationIds: [orgIds.housing],
        categories: ['identity', 'whereabouts'],
        method: 'verbal',
      }),
      201,
    );
    await ok(v1('sw', 'post', `/api/v1/people/${adult}/consents/${given.id}/withdraw`, { reason: 'She rang to say she has changed her mind', method: 'verbal' }));
    const withdrawn = served(await fhirGet('sw', `/api/fhir/Consent/${given.id}`), 200);
    expect(withdrawn.status).toBe('inactive');
    expect(withdrawn.extension.find((e: Json) => e.url === EXTENSIONS.withdrawal).extension).toEqual([
      { url: 'date', valueDateTime: expect.any(String) },
      { url: 'reason', valueString: 'She rang to say she has changed her mind' },
      { url: 'method', valueCode: 'verbal' },
    ]);
    // An ended consent is not imported as if it were in force.
    expect(issues(served(await fhirPost('sw', withdrawn), 422)).map((i) => i.expression)).toEqual(['Consent.status', `Consent.extension('${EXTENSIONS.withdrawal}')`]);

    const refusal = await ok(
      v1('sw', 'post', `/api/v1/people/${adult}/consents`, {
        decision: 'refused',
        givenBy: 'person',
        capacityAssessment: 'presumed',
        capacityOutcome: 'capable',
        purposes: ['crime_prevention'],
        anyRecipient: true,
        categories: ['identity', 'health'],
        method: 'verbal',
      }),
      201,
    );
    const r = served(await fhirGet('sw', `/api/fhir/Consent/${refusal.id}`), 200);
    expect(r).toMatchObject({ status: 'active', policyRule: { coding: [{ code: 'OPTOUT' }] }, provision: { type: 'deny' } });
    expect(r.provision.actor).toBeUndefined();
    const again = served(await fhirPost('sw', r), 201);
    expect(again.provision).toEqual(r.provision);
  });

  it('searches the consents the caller may see; one person only when the policy allows, 403 otherwise', async () => {
    const mine = served(await fhirGet('sw', '/api/fhir/Consent'), 200);
    const subjects = new Set((mine.entry as Json[]).map((e) => e.resource.patient.reference));
    expect(subjects).toEqual(new Set([`Patient/${child}`, `Patient/${adult}`]));
    expect(mine.total).toBe(mine.entry.length);

    // The housing officer works with neither person: nothing in the search, and a refusal for one person.
    const theirs = served(await fhirGet('housing', '/api/fhir/Consent'), 200);
    expect(theirs).toMatchObject({ type: 'searchset', total: 0 });
    expect(theirs.entry).toBeUndefined();
    const forbidden = served(await fhirGet('housing', `/api/fhir/Consent?patient=Patient/${child}`), 403);
    expect(issues(forbidden)[0]).toMatchObject({ code: 'forbidden' });
    const denied = await t.services.audit.search({ action: 'consent.read', subjectId: child, outcome: 'denied', limit: 10 });
    expect(denied.some((e) => e.actorLabel === USERS.housing)).toBe(true);
    expect(served(await fhirGet('housing', `/api/fhir/Consent/${mine.entry[0].resource.id}`), 403).issue[0].code).toBe('forbidden');

    const unknown = served(await fhirGet('sw', '/api/fhir/Consent?patient=Patient/f001'), 200);
    expect(unknown).toMatchObject({ total: 0, entry: [{ search: { mode: 'outcome' }, resource: { resourceType: 'OperationOutcome' } }] });
    expect(unknown.entry[0].resource.issue[0].details.text).toBe('Patient/f001 is not a person recorded here');
    expect(served(await fhirGet('sw', '/api/fhir/Consent?patient=Patient/0190aaaa-0000-7000-8000-000000000000'), 200).total).toBe(0);
    expect(issues(served(await fhirGet('sw', '/api/fhir/Consent?status=active'), 400))[0]!.text).toMatch(/search parameter status is not supported/);
    expect(served(await fhirGet('sw', '/api/fhir/Consent/0190aaaa-0000-7000-8000-000000000000'), 404).issue[0].code).toBe('not-found');
  });

  it('refuses, naming where: an organisation not recorded, a child who cannot consent alone; and audits the refusal', async () => {
    const body = {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: SYSTEMS.consentScope, code: 'patient-privacy' }] },
      category: [{ coding: [{ system: SYSTEMS.loinc, code: '59284-0' }] }],
      patient: { reference: `Patient/${child}` },
      provision: {
        type: 'permit',
        actor: [{ role: { coding: [{ system: SYSTEMS.participationType, code: 'IRCP' }] }, reference: { reference: 'Organization/f001' } }],
        purpose: [{ system: SYSTEMS.purpose, code: 'education' }],
        class: [{ system: SYSTEMS.dataCategory, code: 'education' }],
      },
    };
    const unknownOrg = served(await fhirPost('sw', body), 422);
    expect(issues(unknownOrg)).toEqual([{ code: 'not-found', expression: 'Consent.provision.actor[0].reference', text: 'Consent.provision.actor[0].reference: Organization/f001 is not an organisation recorded here' }]);

    // A five-year-old, "given by the person", capacity presumed: the consent rules refuse it, at the capacity extension.
    const tooYoung = served(await fhirPost('sw', { ...body, provision: { ...body.provision, actor: undefined } }), 422);
    expect(issues(tooYoung)).toEqual([
      { code: 'business-rule', expression: `Consent.extension('${EXTENSIONS.capacity}')`, text: expect.stringMatching(/A child under 16 can consent only if assessed as competent/) },
    ]);
    const audited = await t.services.audit.search({ action: 'consent.import', subjectId: child, limit: 10 });
    expect(audited.map((e) => e.outcome)).toEqual(['failure', 'failure']);

    const nobody = served(await fhirPost('sw', { ...body, provision: { ...body.provision, actor: undefined }, patient: { reference: 'Patient/0190aaaa-0000-7000-8000-000000000000' } }), 422);
    expect(issues(nobody).map((i) => i.text)).toEqual(['Consent.patient: Patient/0190aaaa-0000-7000-8000-000000000000 is not a person recorded here']);
  });

  it('records an identified statement once, and takes a signed form as evidence', async () => {
    const body = {
      resourceType: 'Consent',
      identifier: [{ system: 'urn:oid:2.16.840.1.113883.3.72.5.9.1', value: '494e0c7a-a69e-4fb4-9d02-6aae747790d7' }],
      status: 'active',
      scope: { coding: [{ system: SYSTEMS.consentScope, code: 'patient-privacy' }] },
      category: [{ coding: [{ system: SYSTEMS.loinc, code: '59284-0' }] }],
      patient: { reference: `Patient/${adult}` },
      performer: [{ reference: `Patient/${adult}` }],
      organization: [{ identifier: { system: `${SYSTEMS.organisationCodePrefix}childrens_social_care`, value: 'E06009901' } }],
      sourceAttachment: { contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 signed consent form').toString('base64'), title: 'signed form.pdf' },
      policyRule: { coding: [{ system: SYSTEMS.actCode, code: 'OPTIN' }] },
      provision: {
        period: { start: '2026-01-01', end: '2026-12-31' },
        actor: [{ role: { coding: [{ system: SYSTEMS.participationType, code: 'IRCP' }] }, reference: { identifier: { system: SYSTEMS.ods, value: 'RZ9' } } }],
        purpose: [{ system: SYSTEMS.purpose, code: 'care_and_support' }, { system: SYSTEMS.actReason, code: 'TREAT' }],
        class: [{ system: SYSTEMS.dataCategory, code: 'health' }],
      },
    };
    const first = served(await fhirPost('sw', body), 201);
    expect(first.identifier).toContainEqual(body.identifier[0]);
    expect(first.sourceAttachment).toMatchObject({ contentType: 'application/pdf', title: 'signed form.pdf', url: expect.stringMatching(new RegExp(`/api/v1/people/${adult}/consents/${first.id}/evidence$`)) });
    expect(first.extension.find((e: Json) => e.url === EXTENSIONS.method).valueCode).toBe('written');
    const file = await request(t.app).get(new URL(first.sourceAttachment.url).pathname).set('Authorization', `Bearer ${tokens.sw}`).buffer(true);
    expect(file.status).toBe(200);
    expect(Buffer.from(file.body as Buffer).toString()).toBe('%PDF-1.4 signed consent form');

    const second = await fhirPost('sw', body);
    expect(served(second, 200).id).toBe(first.id);
    expect(second.headers.location).toMatch(new RegExp(`/api/fhir/Consent/${first.id}$`));
  });

  it('keeps other paths as they were: unknown FHIR paths answer an OperationOutcome, other /api paths JSON', async () => {
    expect(served(await fhirGet('sw', '/api/fhir/Patient'), 404).issue[0].code).toBe('not-found');
    const put = await request(t.app).put('/api/fhir/Consent').set('Authorization', `Bearer ${tokens.sw}`);
    expect(put.headers.allow).toBe('GET, POST');
    served(put, 405);
    const other = await request(t.app).get('/api/nothing-here');
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
  });

  describe.skipIf(!fhirFixturesPresent)('the twelve official R4 Consent examples', () => {
    let examples: Map<string, Json>;
    beforeAll(() => {
      examples = consentExamples() as Map<string, Json>;
      expect(examples.size).toBe(12);
    });

    const PATIENTS: Record<string, string> = {
      'Consent-consent-example-Emergency.json': 'Patient/f001',
      'Consent-consent-example-Out.json': 'Patient/f001',
      'Consent-consent-example-basic.json': 'Patient/f001',
      'Consent-consent-example-grantor.json': 'Patient/f001',
      'Consent-consent-example-notAuthor.json': 'Patient/f001',
      'Consent-consent-example-notOrg.json': 'Patient/f001',
      'Consent-consent-example-notThem.json': 'Patient/f001',
      'Consent-consent-example-notThis.json': 'Patient/f001',
      'Consent-consent-example-notTime.json': 'Patient/f001',
      'Consent-consent-example-pkb.json': 'Patient/example',
      'Consent-consent-example-signature.json': 'Patient/72',
      'Consent-consent-example-smartonfhir.json': 'Patient/xcda',
    };

    it('refuses each as it stands: its patient and organisation are not recorded here', async () => {
      const before = served(await fhirGet('sw', '/api/fhir/Consent'), 200).total;
      for (const [file, example] of examples) {
        const found = issues(served(await fhirPost('sw', example), 422));
        expect(found, file).toContainEqual({ code: 'not-found', expression: 'Consent.patient', text: `Consent.patient: ${PATIENTS[file]} is not a person recorded here` });
        expect(found, file).toContainEqual({ code: 'not-found', expression: 'Consent.organization[0]', text: 'Consent.organization[0]: Organization/f001 is not an organisation recorded here' });
      }
      expect(served(await fhirGet('sw', '/api/fhir/Consent'), 200).total).toBe(before);
    });

    /** The example about a person and organisations recorded here: its patient (and them as performer), Organization/f001 as our own organisation (manager) and Northbridge Homes (actor). */
    function rewritten(file: string): Json {
      const e = structuredClone(examples.get(file)!);
      const patient = PATIENTS[file]!;
      const walk = (v: unknown, inOrganization: boolean): unknown => {
        if (Array.isArray(v)) return v.map((x) => walk(x, inOrganization));
        if (v && typeof v === 'object') {
          const o = v as Json;
          if (o.reference === patient) return { ...o, reference: `Patient/${adult}`, display: undefined };
          if (o.reference === 'Organization/f001') return { reference: `Organization/${inOrganization ? orgIds.sw : orgIds.housing}` };
          return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x, inOrganization || k === 'organization')]));
        }
        return v;
      };
      return JSON.parse(JSON.stringify(walk(e, false))) as Json;
    }
    const ours = { purpose: [{ system: SYSTEMS.purpose, code: 'care_and_support' }], class: [{ system: SYSTEMS.dataCategory, code: 'health' }] };

    // What is left, per example, once the person and organisations are ones recorded here.
    const EXPECTED: Record<string, { refused: string[]; because: RegExp } | 'imports'> = {
      'Consent-consent-example-basic.json': { refused: ['Consent.provision.purpose', 'Consent.provision.class'], because: /Name the purposes consent was given for/ },
      'Consent-consent-example-notTime.json': { refused: ['Consent.provision.purpose', 'Consent.provision.class'], because: /consent for one purpose does not cover another/ },
      'Consent-consent-example-notThis.json': {
        refused: ['Consent.provision.data[0].reference', 'Consent.provision.purpose', 'Consent.provision.class'],
        because: /Task\/example3 is a single record/,
      },
      'Consent-consent-example-notOrg.json': 'imports',
      'Consent-consent-example-notThem.json': {
        refused: ['Consent.provision.actor[0].reference', 'Consent.provision.purpose', 'Consent.provision.class'],
        because: /Practitioner\/f204 \(Fictive Nurse\) is a Practitioner: recipients here are organisations/,
      },
      'Consent-consent-example-notAuthor.json': {
        refused: ['Consent.provision.actor[0].role', 'Consent.provision.purpose', 'Consent.provision.class'],
        because: /#CST: consent here says who may receive information .* not whose records it is about \(custodian\)/,
      },
      'Consent-consent-example-Out.json': { refused: ['Consent.provision.actor[0].role'], because: /#CST: consent here says who may receive information/ },
      'Consent-consent-example-Emergency.json': {
        refused: ['Consent.category[0]', 'Consent.provision.actor[0].role', 'Consent.provision.purpose[0]', 'Consent.provision.provision[0].actor[0].role'],
        because: /v3-ActReason#ETREAT has no equivalent among the purposes recorded here/,
      },
      'Consent-consent-example-grantor.json': {
        refused: ['Consent.category[0]', 'Consent.provision.actor[0].role', 'Consent.provision.actor[1].reference'],
        because: /v3-ActCode#INFAO is not a kind of consent recorded here/,
      },
      'Consent-consent-example-signature.json': {
        refused: [
          'Consent.category[0]',
          'Consent.provision.actor[0].reference',
          'Consent.provision.purpose',
          'Consent.provision.class',
          'Consent.provision.provision[0].actor[0].role',
          'Consent.provision.provision[0].actor[0].reference',
          'Consent.provision.provision[0].class[0]',
          'Consent.provision.provision[0].code',
        ],
        because: /consentcategorycodes#npp is not a kind of consent recorded here/,
      },
      'Consent-consent-example-smartonfhir.json': {
        refused: ['Consent.performer[0]', 'Consent.provision.period.start', 'Consent.provision.period.end', 'Consent.provision.purpose', 'Consent.provision.class', 'Consent.provision.provision[0].class[0]'],
        because: /RelatedPerson\/peter is not held here/,
      },
      'Consent-consent-example-pkb.json': {
        refused: ['Consent.provision.securityLabel', ...Array.from({ length: 11 }, (_, i) => [`Consent.provision.provision[${i}].type`, `Consent.provision.provision[${i}].securityLabel`]).flat()],
        because: /Security labels \(http:\/\/terminology.hl7.org\/CodeSystem\/v3-Confidentiality#N\) are not recorded here/,
      },
    };

    it('with the person and organisations rewritten to recorded ones, imports each or refuses it for a stated reason', async () => {
      expect(Object.keys(EXPECTED).sort()).toEqual([...examples.keys()].sort());
      for (const file of examples.keys()) {
        const expected = EXPECTED[file]!;
        const res = await fhirPost('sw', rewritten(file));
        if (expected === 'imports') {
          served(res, 201);
          continue;
        }
        const found = issues(served(res, 422));
        expect(found.map((i) => i.expression), file).toEqual(expected.refused);
        expect(found.map((i) => i.text).join('\n'), file).toMatch(expected.because);
      }
    });

    it('notOrg becomes a recorded refusal to share with that organisation, keeping what it said beyond sharing', async () => {
      const res = served(await fhirPost('sw', rewritten('Consent-consent-example-notOrg.json')), 201);
      expect(res.provision).toMatchObject({ type: 'deny', actor: [{ reference: { reference: `Organization/${orgIds.housing}` } }] });
      const note = res.extension.find((e: Json) => e.url === EXTENSIONS.note).valueString as string;
      expect(note).toMatch(/consentaction#correct, which this server does not record/);
      expect(note).toMatch(/The refusal named no purpose, so it is recorded for every purpose/);
      const coverage = await ok(v1('sw', 'get', `/api/v1/people/${adult}/consent-coverage?purpose=housing_support&recipientOrganisationId=${orgIds.housing}&categories=health`));
      expect(coverage.position).toBe('refused');
    });

    it('basic and notTime, refused only for naming no purpose or information, import once those are stated', async () => {
      const basic = rewritten('Consent-consent-example-basic.json');
      const b = served(await fhirPost('sw', { ...basic, provision: { ...basic.provision, ...ours } }), 201);
      expect(b.provision).toMatchObject({ type: 'permit', period: { start: '1964-01-01', end: '2016-01-01' } });
      const notTime = rewritten('Consent-consent-example-notTime.json');
      const n = served(await fhirPost('sw', { ...notTime, provision: { ...notTime.provision, ...ours } }), 201);
      expect(n.provision.period).toEqual({ start: '2015-01-01', end: '2015-02-01' });
      // The documents they name but do not carry are noted, not lost.
      expect(b.extension.find((e: Json) => e.url === EXTENSIONS.note).valueString).toBe('Source document (not held here): The terms of the consent in lawyer speak.');
      const all = served(await fhirGet('sw', `/api/fhir/Consent?patient=Patient/${adult}`), 200);
      expect(all.entry.map((e: Json) => e.resource.id)).toEqual(expect.arrayContaining([b.id, n.id]));
    });
  });
});
