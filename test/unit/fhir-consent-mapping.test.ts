import { beforeAll, describe, expect, it } from 'vitest';
import { consentFromFhir, consentToFhir, EXTENSIONS, SYSTEMS, type Directory, type ImportResult, type Json } from '../../src/fhir/consent-mapping.ts';
import { consentSchema, type ConsentView } from '../../src/services/consent-service.ts';
import { PURPOSES, SHAREABLE_CATEGORIES } from '../../src/sharing/rules.ts';
import { fhirFixturesPresent, fhirValidator } from '../support/fhir.ts';

const CSC = '01900000-0000-7000-8000-000000000001';
const NHS = '01900000-0000-7000-8000-000000000002';
const HOMES = '01900000-0000-7000-8000-000000000003';
const CHILD = '01900000-0000-7000-8000-0000000000c1';
const MOTHER = '01900000-0000-7000-8000-0000000000a1';
const BASE = 'https://teamaround.example';

const dir: Directory = {
  organisations: [
    { id: CSC, name: 'Northbridge Children\'s Services', typeCode: 'childrens_social_care', officialCode: 'E06009901', codeScheme: 'ONS local authority code' },
    { id: NHS, name: 'Northbridge Community Health NHS Trust', typeCode: 'nhs_trust', officialCode: 'RZ9', codeScheme: 'ODS code' },
    { id: HOMES, name: 'Northbridge Homes', typeCode: 'housing', officialCode: 'LH9901', codeScheme: 'Regulator of Social Housing registration number' },
  ],
  organisationTypes: [
    { code: 'childrens_social_care', label: 'Children\'s social care', codeScheme: 'ONS local authority code' },
    { code: 'nhs_trust', label: 'NHS trust', codeScheme: 'ODS code' },
    { code: 'housing', label: 'Housing provider', codeScheme: 'Regulator of Social Housing registration number' },
    { code: 'school', label: 'School', codeScheme: 'DfE URN' },
  ],
};
const caller = { organisationId: CSC, organisationName: 'Northbridge Children\'s Services' };

function consent(over: Partial<ConsentView> = {}): ConsentView {
  return {
    subjectId: CHILD,
    id: '01900000-0000-7000-8000-0000000000f1',
    decision: 'given',
    givenBy: 'parental_responsibility',
    givenBySubjectId: MOTHER,
    givenByName: 'Dana Ashdown',
    capacityAssessment: 'presumed',
    capacityOutcome: 'capable',
    capacityReasoning: null,
    capacityAssessedBy: null,
    capacityAssessedOn: null,
    purposes: ['early_help', 'care_and_support'],
    recipientOrganisationIds: [NHS],
    recipientOrganisationTypes: ['school'],
    anyRecipient: false,
    categories: ['identity', 'health', 'education'],
    exceptions: [{ type: 'deny', purposes: [], organisationIds: [NHS], organisationTypes: [], categories: ['health'], from: '2026-02-01', until: '2026-03-31' }],
    method: 'written',
    evidence: null,
    validFrom: '2026-01-10',
    validUntil: '2027-01-09',
    notes: 'Agreed at the team around the family meeting',
    organisationId: CSC,
    organisationName: 'Northbridge Children\'s Services',
    recordedBy: '01900000-0000-7000-8000-0000000000e1',
    recordedByName: 'Kofi Mensah',
    recordedAt: new Date('2026-01-10T10:15:00Z'),
    withdrawnAt: null,
    withdrawnBy: null,
    withdrawalReason: null,
    withdrawalMethod: null,
    source: 'app',
    externalId: null,
    state: 'in-force',
    ...over,
  };
}

/** A minimal resource that imports, to vary one element at a time. */
function resource(provision: Json = {}, over: Json = {}): Json {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: SYSTEMS.consentScope, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: SYSTEMS.loinc, code: '59284-0' }] }],
    patient: { reference: `Patient/${CHILD}` },
    dateTime: '2026-02-03T09:00:00Z',
    policyRule: { coding: [{ system: SYSTEMS.actCode, code: 'OPTIN' }] },
    provision: {
      purpose: [{ system: SYSTEMS.purpose, code: 'early_help' }],
      class: [{ system: SYSTEMS.dataCategory, code: 'identity' }],
      ...provision,
    },
    ...over,
  };
}

const ok = (r: ImportResult) => {
  if (!r.ok) throw new Error(`expected an import, got ${JSON.stringify(r.issues, null, 2)}`);
  return r;
};
const refused = (r: ImportResult) => {
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.input)}`);
  return r;
};
const where = (r: ImportResult) => refused(r).issues.map((i) => i.expression);

describe('FHIR Consent export', () => {
  it('writes who, for what, to whom, which information and when, with our codes and v3 where they are true', () => {
    const f = consentToFhir(consent(), dir, { baseUrl: BASE });
    expect(f).toMatchObject({
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: SYSTEMS.consentScope, code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${CHILD}` },
      dateTime: '2026-01-10T10:15:00.000Z',
      policyRule: { coding: [{ code: 'OPTIN' }] },
      organization: [{ reference: `Organization/${CSC}`, identifier: { system: `${SYSTEMS.organisationCodePrefix}childrens_social_care`, value: 'E06009901' } }],
      performer: [{ reference: '#given-by', display: 'Dana Ashdown' }],
      contained: [
        {
          resourceType: 'RelatedPerson',
          id: 'given-by',
          identifier: [{ system: SYSTEMS.personId, value: MOTHER }],
          patient: { reference: `Patient/${CHILD}` },
          relationship: [{ coding: [{ system: SYSTEMS.givenBy, code: 'parental_responsibility' }] }],
          name: [{ text: 'Dana Ashdown' }],
        },
      ],
    });
    const p = f.provision as Json;
    expect(p.type).toBe('permit');
    expect(p.period).toEqual({ start: '2026-01-10', end: '2027-01-09' });
    expect(p.purpose).toEqual([
      { system: SYSTEMS.purpose, code: 'early_help', display: 'Early help and family support' },
      { system: SYSTEMS.purpose, code: 'care_and_support', display: 'Care, treatment and support' },
      { system: SYSTEMS.actReason, code: 'TREAT', display: 'treatment' },
    ]);
    expect((p.class as Json[]).map((c) => c.code)).toEqual(['identity', 'health', 'education']);
    expect(p.actor).toEqual([
      {
        role: { coding: [{ system: SYSTEMS.participationType, code: 'IRCP', display: 'information recipient' }] },
        reference: { reference: `Organization/${NHS}`, type: 'Organization', identifier: { system: SYSTEMS.ods, value: 'RZ9' }, display: 'Northbridge Community Health NHS Trust' },
      },
      {
        role: { coding: [{ system: SYSTEMS.participationType, code: 'IRCP', display: 'information recipient' }] },
        reference: { type: 'Group', identifier: { system: SYSTEMS.organisationType, value: 'school' }, display: 'Any school' },
      },
    ]);
    expect(p.provision).toEqual([
      {
        type: 'deny',
        period: { start: '2026-02-01', end: '2026-03-31' },
        actor: [expect.objectContaining({ reference: expect.objectContaining({ reference: `Organization/${NHS}` }) })],
        class: [{ system: SYSTEMS.dataCategory, code: 'health', display: 'Health' }],
      },
    ]);
    const ext = f.extension as Json[];
    expect(ext.find((e) => e.url === EXTENSIONS.capacity)).toEqual({
      url: EXTENSIONS.capacity,
      extension: [
        { url: 'assessment', valueCode: 'presumed' },
        { url: 'outcome', valueCode: 'capable' },
      ],
    });
    expect(ext.find((e) => e.url === EXTENSIONS.method)).toEqual({ url: EXTENSIONS.method, valueCode: 'written' });
    expect(ext.find((e) => e.url === EXTENSIONS.note)).toEqual({ url: EXTENSIONS.note, valueString: 'Agreed at the team around the family meeting' });
    expect((f.text as Json).div).toMatch(/^<div xmlns="http:\/\/www.w3.org\/1999\/xhtml"><p>Consent given by Dana Ashdown \(person with parental responsibility\)/);
  });

  it('writes a refusal as an active deny (OPTOUT), the person themselves as the Patient, any recipient as no actor', () => {
    const f = consentToFhir(
      consent({ decision: 'refused', givenBy: 'person', givenBySubjectId: null, givenByName: null, anyRecipient: true, recipientOrganisationIds: [], recipientOrganisationTypes: [], exceptions: [], validUntil: null }),
      dir,
      { baseUrl: BASE },
    );
    expect(f.status).toBe('active');
    expect(f.policyRule).toEqual({ coding: [{ system: SYSTEMS.actCode, code: 'OPTOUT', display: 'opt-out' }] });
    expect(f.performer).toEqual([{ reference: `Patient/${CHILD}` }]);
    expect(f.contained).toBeUndefined();
    const p = f.provision as Json;
    expect(p.type).toBe('deny');
    expect(p.actor).toBeUndefined();
    expect(p.period).toEqual({ start: '2026-01-10' });
    expect(p.provision).toBeUndefined();
  });

  it('writes a withdrawal as status inactive with the withdrawal extension, leaving the period as consented', () => {
    const f = consentToFhir(
      consent({ withdrawnAt: new Date('2026-05-01T12:00:00Z'), withdrawnBy: 'x', withdrawalReason: 'Mother phoned to withdraw it', withdrawalMethod: 'verbal', state: 'withdrawn' }),
      dir,
      { baseUrl: BASE },
    );
    expect(f.status).toBe('inactive');
    expect((f.provision as Json).period).toEqual({ start: '2026-01-10', end: '2027-01-09' });
    expect((f.extension as Json[]).find((e) => e.url === EXTENSIONS.withdrawal)).toEqual({
      url: EXTENSIONS.withdrawal,
      extension: [
        { url: 'date', valueDateTime: '2026-05-01T12:00:00.000Z' },
        { url: 'reason', valueString: 'Mother phoned to withdraw it' },
        { url: 'method', valueCode: 'verbal' },
      ],
    });
    expect((f.meta as Json).lastUpdated).toBe('2026-05-01T12:00:00.000Z');
  });

  it('points to the evidence (read through the consent API) rather than carrying it', () => {
    const f = consentToFhir(consent({ evidence: { id: 'e', filename: 'form.pdf', contentType: 'application/pdf', sizeBytes: 1234, sha256: 'ab' } }), dir, { baseUrl: BASE });
    expect(f.sourceAttachment).toEqual({ contentType: 'application/pdf', url: `${BASE}/api/v1/people/${CHILD}/consents/${consent().id}/evidence`, size: 1234, title: 'form.pdf' });
  });

  it('re-imports to the same record (round trip)', () => {
    for (const c of [
      consent(),
      consent({ decision: 'refused', givenBy: 'person', givenBySubjectId: null, givenByName: null, anyRecipient: true, recipientOrganisationIds: [], recipientOrganisationTypes: [], exceptions: [], notes: null }),
      consent({ givenBy: 'person', givenBySubjectId: null, givenByName: null, capacityAssessment: 'gillick', capacityReasoning: 'Understood who would see what and why, and could say so back', capacityAssessedOn: '2026-01-09', method: 'verbal' }),
    ]) {
      const r = ok(consentFromFhir(consentToFhir(c, dir, { baseUrl: BASE }), dir, caller));
      expect(r.subjectId).toBe(c.subjectId);
      expect(r.externalId).toBeUndefined();
      expect(r.input).toEqual({
        decision: c.decision,
        givenBy: c.givenBy,
        ...(c.givenBySubjectId ? { givenBySubjectId: c.givenBySubjectId } : {}),
        ...(c.givenByName ? { givenByName: c.givenByName } : {}),
        capacityAssessment: c.capacityAssessment,
        capacityOutcome: c.capacityOutcome,
        ...(c.capacityReasoning ? { capacityReasoning: c.capacityReasoning } : {}),
        ...(c.capacityAssessedOn ? { capacityAssessedOn: c.capacityAssessedOn } : {}),
        purposes: c.purposes,
        anyRecipient: c.anyRecipient,
        recipientOrganisationIds: c.recipientOrganisationIds,
        recipientOrganisationTypes: c.recipientOrganisationTypes,
        categories: c.categories,
        exceptions: c.exceptions.map((e) => ({ type: e.type, purposes: e.purposes, organisationIds: e.organisationIds, organisationTypes: e.organisationTypes, categories: e.categories, from: e.from, until: e.until })),
        method: c.method,
        validFrom: c.validFrom,
        ...(c.validUntil ? { validUntil: c.validUntil } : {}),
        ...(c.notes ? { notes: c.notes } : {}),
      });
      expect(consentSchema.safeParse(r.input).success).toBe(true);
    }
  });

  it('keeps an imported statement\'s own identifier, and is not misled by our own', () => {
    const f = consentToFhir(consent({ externalId: 'urn:oid:2.16.840.1.113883.3.72.5.9.1|494e0c7a' }), dir, { baseUrl: BASE });
    expect(f.identifier).toEqual([
      { system: SYSTEMS.consentId, value: consent().id },
      { system: 'urn:oid:2.16.840.1.113883.3.72.5.9.1', value: '494e0c7a' },
    ]);
    expect(ok(consentFromFhir(f, dir, caller)).externalId).toBe('urn:oid:2.16.840.1.113883.3.72.5.9.1|494e0c7a');
  });
});

describe.skipIf(!fhirFixturesPresent)('FHIR Consent export against the R4 schema', () => {
  let validate: (r: unknown) => string[];
  beforeAll(() => {
    validate = fhirValidator();
  }, 60_000);

  it('validates consent, refusal, withdrawal, evidence and exceptions', () => {
    const variants = [
      consent(),
      consent({ decision: 'refused', givenBy: 'person', givenBySubjectId: null, givenByName: null, anyRecipient: true, recipientOrganisationIds: [], recipientOrganisationTypes: [], exceptions: [], validUntil: null, notes: null }),
      consent({ withdrawnAt: new Date('2026-05-01T12:00:00Z'), withdrawalReason: 'Withdrawn by phone call', withdrawalMethod: 'verbal' }),
      consent({ evidence: { id: 'e', filename: 'form.pdf', contentType: 'application/pdf', sizeBytes: 10, sha256: 'ab' }, givenBySubjectId: null, givenByName: 'A <b>"quoted"</b> & name' }),
      consent({ externalId: 'no-system-id', givenBy: 'lawful_representative' }),
    ];
    for (const v of variants) expect(validate(consentToFhir(v, dir, { baseUrl: BASE }))).toEqual([]);
  });

  it('the schema is not a formality: it rejects a Consent without scope', () => {
    const f = consentToFhir(consent(), dir, { baseUrl: BASE });
    delete f.scope;
    expect(validate(f).join('\n')).toMatch(/scope/);
  });
});

describe('FHIR Consent import', () => {
  it('records a minimal consent, with the defaults it states', () => {
    const r = ok(consentFromFhir(resource(), dir, caller));
    expect(r.input).toEqual({
      decision: 'given',
      givenBy: 'person',
      capacityAssessment: 'presumed',
      capacityOutcome: 'capable',
      purposes: ['early_help'],
      anyRecipient: true,
      recipientOrganisationIds: [],
      recipientOrganisationTypes: [],
      categories: ['identity'],
      exceptions: [],
      method: 'electronic',
      validFrom: '2026-02-03',
    });
  });

  it('decides given or refused from provision.type, else policyRule; refuses to guess', () => {
    expect(ok(consentFromFhir(resource({ type: 'deny' }), dir, caller)).input.decision).toBe('refused');
    expect(ok(consentFromFhir(resource({}, { policyRule: { coding: [{ system: SYSTEMS.actCode, code: 'OPTOUT' }] } }), dir, caller)).input.decision).toBe('refused');
    const r = refused(consentFromFhir(resource({}, { policyRule: undefined }), dir, caller));
    expect(r.status).toBe(422);
    expect(r.issues).toEqual([expect.objectContaining({ code: 'required', expression: 'Consent.provision.type', message: expect.stringMatching(/given or refused/) })]);
  });

  it('reads a consent narrowly: no purpose or no kind of information is refused, never taken as "everything"', () => {
    const r = refused(consentFromFhir(resource({ purpose: undefined, class: undefined }), dir, caller));
    expect(r.issues.map((i) => [i.code, i.expression])).toEqual([
      ['required', 'Consent.provision.purpose'],
      ['required', 'Consent.provision.class'],
    ]);
    expect(r.issues[0]!.message).toMatch(/consent for one purpose does not cover another/);
  });

  it('reads a refusal as FHIR does: naming no purpose or information, it refuses them all, and says so', () => {
    const r = ok(consentFromFhir(resource({ type: 'deny', purpose: undefined, class: undefined }), dir, caller));
    expect(r.input.purposes).toEqual([...PURPOSES]);
    expect(r.input.categories).toEqual([...SHAREABLE_CATEGORIES]);
    expect(r.input.notes).toMatch(/named no purpose.*\n.*named no kind of information/);
  });

  it('maps v3 TREAT only where it adds nothing: alongside care_and_support (as exported), never alone', () => {
    const treat = { system: SYSTEMS.actReason, code: 'TREAT' };
    const alone = refused(consentFromFhir(resource({ purpose: [treat] }), dir, caller));
    expect(alone.issues).toEqual([expect.objectContaining({ code: 'not-supported', expression: 'Consent.provision.purpose[0]', message: expect.stringMatching(/health care only.*also covers social care/) })]);
    const deny = refused(consentFromFhir(resource({ type: 'deny', purpose: [treat] }), dir, caller));
    expect(where(deny)).toEqual(['Consent.provision.purpose[0]']);
    const both = ok(consentFromFhir(resource({ purpose: [{ system: SYSTEMS.purpose, code: 'care_and_support' }, treat] }), dir, caller));
    expect(both.input.purposes).toEqual(['care_and_support']);
    const etreat = refused(consentFromFhir(resource({ purpose: [{ system: SYSTEMS.actReason, code: 'ETREAT' }] }), dir, caller));
    expect(etreat.issues[0]!.message).toMatch(/v3-ActReason#ETREAT has no equivalent/);
  });

  it('resolves recipients by id, by ODS or official code, and kinds of organisation as Groups; names those it does not know', () => {
    const ircp = { coding: [{ system: SYSTEMS.participationType, code: 'IRCP' }] };
    const r = ok(
      consentFromFhir(
        resource({
          actor: [
            { role: ircp, reference: { reference: `Organization/${HOMES}` } },
            { role: ircp, reference: { identifier: { system: SYSTEMS.ods, value: 'rz9' } } },
            { role: ircp, reference: { identifier: { system: `${SYSTEMS.organisationCodePrefix}housing`, value: 'LH9901' } } },
            { role: { coding: [{ system: SYSTEMS.participationType, code: 'PRCP' }] }, reference: { type: 'Group', identifier: { system: SYSTEMS.organisationType, value: 'school' } } },
          ],
        }),
        dir,
        caller,
      ),
    );
    expect(r.input).toMatchObject({ anyRecipient: false, recipientOrganisationIds: [HOMES, NHS], recipientOrganisationTypes: ['school'] });
    expect(r.expressionFor('recipientOrganisationIds.1')).toBe('Consent.provision.actor[1].reference');
    expect(r.expressionFor('recipientOrganisationTypes.0')).toBe('Consent.provision.actor[3].reference');

    const unknown = refused(
      consentFromFhir(
        resource({
          actor: [
            { role: ircp, reference: { reference: 'Organization/f001' } },
            { role: ircp, reference: { reference: 'Practitioner/f204', display: 'Fictive Nurse' } },
            { role: ircp, reference: { identifier: { system: SYSTEMS.ods, value: 'X99' } } },
            { role: { coding: [{ system: SYSTEMS.participationType, code: 'CST' }] }, reference: { reference: `Organization/${HOMES}` } },
          ],
        }),
        dir,
        caller,
      ),
    );
    expect(unknown.issues.map((i) => [i.code, i.expression, i.message])).toEqual([
      ['not-found', 'Consent.provision.actor[0].reference', 'Consent.provision.actor[0].reference: Organization/f001 is not an organisation recorded here'],
      ['not-supported', 'Consent.provision.actor[1].reference', expect.stringMatching(/Practitioner\/f204 \(Fictive Nurse\) is a Practitioner: recipients here are organisations/)],
      ['not-found', 'Consent.provision.actor[2].reference', expect.stringMatching(/ods-organization-code\|X99 is not recorded here/)],
      ['not-supported', 'Consent.provision.actor[3].role', expect.stringMatching(/#CST: consent here says who may receive information.*not whose records/)],
    ]);
  });

  it('records by whole days, refusing a time of day that a day would widen', () => {
    const years = ok(consentFromFhir(resource({ period: { start: '2015', end: '2016-02' } }), dir, caller));
    expect(years.input).toMatchObject({ validFrom: '2015-01-01', validUntil: '2016-02-29' });
    const days = ok(consentFromFhir(resource({ period: { start: '2016-06-23T00:00:00+10:00', end: '2016-06-30T23:59:59+10:00' } }), dir, caller));
    expect(days.input).toMatchObject({ validFrom: '2016-06-23', validUntil: '2016-06-30' });
    const minutes = refused(consentFromFhir(resource({ period: { start: '2016-06-23T17:02:33+10:00', end: '2016-06-23T17:32:33+10:00' } }), dir, caller));
    expect(minutes.issues.map((i) => i.expression)).toEqual(['Consent.provision.period.start', 'Consent.provision.period.end']);
    expect(minutes.issues[0]!.message).toMatch(/whole days, so 2016-06-23T17:02:33\+10:00 would be widened to the whole of 2016-06-23/);
  });

  it('turns nested provisions into exceptions; one level only, each permitting or denying', () => {
    const r = ok(
      consentFromFhir(
        resource({
          provision: [{ type: 'deny', class: [{ system: SYSTEMS.dataCategory, code: 'identity' }], period: { start: '2026-03-01' }, purpose: [{ system: SYSTEMS.purpose, code: 'early_help' }] }],
        }),
        dir,
        caller,
      ),
    );
    expect(r.input.exceptions).toEqual([{ type: 'deny', purposes: ['early_help'], organisationIds: [], organisationTypes: [], categories: ['identity'], from: '2026-03-01' }]);
    expect(r.expressionFor('exceptions.0.until')).toBe('Consent.provision.provision[0].period.end');
    const bad = refused(consentFromFhir(resource({ provision: [{ class: [{ system: SYSTEMS.dataCategory, code: 'identity' }], provision: [{ type: 'permit' }] }] }), dir, caller));
    expect(where(bad)).toEqual(['Consent.provision.provision[0].type', 'Consent.provision.provision[0].provision']);
  });

  it('keeps what a refusal says beyond sharing as a note, and refuses a provision that is not about sharing', () => {
    const actions = [{ coding: [{ system: SYSTEMS.consentAction, code: 'access' }] }, { coding: [{ system: SYSTEMS.consentAction, code: 'correct' }] }];
    const r = ok(consentFromFhir(resource({ type: 'deny', action: actions }), dir, caller));
    expect(r.input.notes).toMatch(/also controlled http:\/\/terminology.hl7.org\/CodeSystem\/consentaction#correct, which this server does not record/);
    const onlyCorrect = refused(consentFromFhir(resource({ action: [actions[1]] }), dir, caller));
    expect(onlyCorrect.issues[0]).toMatchObject({ expression: 'Consent.provision.action', message: expect.stringMatching(/controls .*#correct, not sharing/) });
  });

  it('refuses what it cannot hold: specific records, codes, data periods, security labels, other kinds of information', () => {
    const r = refused(
      consentFromFhir(
        resource({
          data: [{ meaning: 'related', reference: { reference: 'Task/example3' } }],
          code: [{ coding: [{ system: 'http://loinc.org', code: '34133-9' }] }],
          dataPeriod: { start: '2015-01-01' },
          securityLabel: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' }],
          class: [{ system: 'http://hl7.org/fhir/resource-types', code: 'MedicationRequest' }],
        }),
        dir,
        caller,
      ),
    );
    expect(r.issues.map((i) => [i.code, i.expression])).toEqual([
      ['not-supported', 'Consent.provision.securityLabel'],
      ['not-supported', 'Consent.provision.class[0]'],
      ['not-supported', 'Consent.provision.code'],
      ['not-supported', 'Consent.provision.dataPeriod'],
      ['not-supported', 'Consent.provision.data[0].reference'],
    ]);
    expect(r.issues[4]!.message).toMatch(/Task\/example3 is a single record/);
  });

  it('refuses statuses other than active, with what to do instead', () => {
    for (const [status, text] of [
      ['inactive', /record its withdrawal here/],
      ['rejected', /imported as status active with provision.type deny/],
      ['draft', /not yet agreed/],
      ['proposed', /not yet agreed/],
      ['entered-in-error', /entered in error/],
    ] as const) {
      const r = refused(consentFromFhir(resource({}, { status }), dir, caller));
      expect(r.issues).toEqual([expect.objectContaining({ code: 'not-supported', expression: 'Consent.status', message: expect.stringMatching(text) })]);
    }
  });

  it('refuses other scopes and kinds of consent, and the wrong organisation', () => {
    const r = refused(
      consentFromFhir(
        resource({}, {
          scope: { coding: [{ system: SYSTEMS.consentScope, code: 'treatment' }] },
          category: [{ coding: [{ system: SYSTEMS.actCode, code: 'EMRGONLY', display: 'emergency only' }] }],
          organization: [{ reference: `Organization/${HOMES}` }],
        }),
        dir,
        caller,
      ),
    );
    expect(r.issues.map((i) => [i.expression, i.message])).toEqual([
      ['Consent.scope', expect.stringMatching(/Only privacy consents .* not http:\/\/terminology.hl7.org\/CodeSystem\/consentscope#treatment/)],
      ['Consent.category[0]', expect.stringMatching(/#EMRGONLY \(emergency only\) is not a kind of consent recorded here/)],
      ['Consent.organization[0]', expect.stringMatching(/managed by the importing organisation \(Northbridge Children's Services\); Northbridge Homes records its own/)],
    ]);
  });

  it('answers 400 for what is not an R4 Consent, naming the element', () => {
    expect(refused(consentFromFhir([], dir, caller))).toMatchObject({ status: 400, issues: [{ code: 'structure', expression: 'Consent' }] });
    expect(refused(consentFromFhir({ resourceType: 'Patient' }, dir, caller))).toMatchObject({ status: 400, issues: [{ expression: 'Consent.resourceType' }] });
    const r = refused(consentFromFhir(resource({ colour: 'red', type: 'maybe' }, { period: { start: '2020' } }), dir, caller));
    expect(r.status).toBe(400);
    expect(where(r)).toEqual(['Consent.period', 'Consent.provision.colour', 'Consent.provision.type']);
  });

  it('refuses modifier extensions and patients that are not recorded people', () => {
    const modifier = [{ url: 'http://example.org/x', valueBoolean: true }];
    const actor = { role: { coding: [{ system: SYSTEMS.participationType, code: 'IRCP' }] }, reference: { reference: `Organization/${HOMES}` }, modifierExtension: modifier };
    const r = refused(consentFromFhir(resource({ actor: [actor] }, { modifierExtension: modifier, patient: { reference: 'Patient/f001' } }), dir, caller));
    expect(r.issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/^Consent.provision.actor\[0\].modifierExtension: A modifier extension changes the meaning/),
      expect.stringMatching(/^Consent.modifierExtension: A modifier extension/),
      'Consent.patient: Patient/f001 is not a person recorded here',
    ]);
  });

  it('reads who decided from a contained RelatedPerson, and the capacity, method and note extensions', () => {
    const r = ok(
      consentFromFhir(
        resource({}, {
          contained: [
            {
              resourceType: 'RelatedPerson',
              id: 'mum',
              patient: { reference: `Patient/${CHILD}` },
              relationship: [{ coding: [{ system: SYSTEMS.givenBy, code: 'parental_responsibility' }] }],
              name: [{ given: ['Dana'], family: 'Ashdown' }],
            },
          ],
          performer: [{ reference: '#mum' }],
          extension: [
            { url: EXTENSIONS.capacity, extension: [{ url: 'assessment', valueCode: 'gillick' }, { url: 'outcome', valueCode: 'not_capable' }, { url: 'reasoning', valueString: 'Too young to weigh it up' }] },
            { url: EXTENSIONS.method, valueCode: 'verbal' },
            { url: EXTENSIONS.note, valueString: 'Said at the front door' },
            { url: 'http://example.org/unknown-but-harmless', valueString: 'ignored' },
          ],
        }),
        dir,
        caller,
      ),
    );
    expect(r.input).toMatchObject({
      givenBy: 'parental_responsibility',
      givenByName: 'Dana Ashdown',
      capacityAssessment: 'gillick',
      capacityOutcome: 'not_capable',
      capacityReasoning: 'Too young to weigh it up',
      method: 'verbal',
      notes: 'Said at the front door',
    });
    expect(r.expressionFor('givenByName')).toBe('Consent.contained[0].name');
    expect(r.expressionFor('capacityReasoning')).toBe(`Consent.extension('${EXTENSIONS.capacity}').extension('reasoning')`);
  });

  it('takes evidence by value (a written consent), and notes a source it does not hold', () => {
    const withData = ok(consentFromFhir(resource({}, { sourceAttachment: { contentType: 'application/pdf', data: 'JVBERi0=', title: 'signed.pdf' } }), dir, caller));
    expect(withData.input).toMatchObject({ method: 'written', evidence: { filename: 'signed.pdf', contentType: 'application/pdf', contentBase64: 'JVBERi0=' } });
    const titleOnly = ok(consentFromFhir(resource({}, { sourceAttachment: { title: 'The terms of the consent in lawyer speak.' } }), dir, caller));
    expect(titleOnly.input).toMatchObject({ method: 'written', notes: 'Source document (not held here): The terms of the consent in lawyer speak.' });
    expect(titleOnly.input.evidence).toBeUndefined();
    const wrongType = refused(consentFromFhir(resource({}, { sourceAttachment: { contentType: 'text/plain', data: 'aGk=' } }), dir, caller));
    expect(where(wrongType)).toEqual(['Consent.sourceAttachment.contentType']);
  });

  it('names where each service rule lands in the resource', () => {
    const r = ok(consentFromFhir(resource({ provision: [{ type: 'permit' }] }), dir, caller));
    expect(r.expressionFor('capacityAssessment')).toBe(`Consent.extension('${EXTENSIONS.capacity}')`);
    expect(r.expressionFor('purposes.0')).toBe('Consent.provision.purpose');
    expect(r.expressionFor('validUntil')).toBe('Consent.provision.period.end');
    expect(r.expressionFor('validFrom')).toBe('Consent.dateTime');
    expect(r.expressionFor('exceptions.0.organisationIds')).toBe('Consent.provision.provision[0]');
    expect(r.expressionFor('givenBy')).toBe('Consent.performer');
    expect(r.expressionFor('form')).toBe('Consent');
  });
});
