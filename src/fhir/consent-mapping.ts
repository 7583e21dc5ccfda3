/**
 * Consent records as HL7 FHIR R4 (4.0.1) `Consent` resources, both ways. Pure: no I/O and no clock.
 * Export (`consentToFhir`) writes everything a record holds. Import (`consentFromFhir`) records a
 * statement only when all of it can be held here without widening it: anything that would change
 * what the person decided is refused with an issue naming the element (`expression`) and why.
 * The choices are explained in docs/decisions/0013-fhir-consent-mapping.md.
 */
import type { ConsentView } from '../services/consent-service.ts';
import { PURPOSE_LABELS, PURPOSES, SHAREABLE_CATEGORIES, type Purpose } from '../sharing/rules.ts';

export type Json = Record<string, unknown>;

const BASE = 'https://teamaround.org.uk/fhir';

/** Code systems and identifier systems used in the resources. */
export const SYSTEMS = {
  purpose: `${BASE}/CodeSystem/sharing-purpose`,
  dataCategory: `${BASE}/CodeSystem/data-category`,
  givenBy: `${BASE}/CodeSystem/consent-given-by`,
  consentId: `${BASE}/Id/consent`,
  personId: `${BASE}/Id/person`,
  organisationType: `${BASE}/Id/organisation-type`,
  organisationCodePrefix: `${BASE}/Id/organisation-code/`,
  ods: 'https://fhir.nhs.uk/Id/ods-organization-code',
  loinc: 'http://loinc.org',
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  actReason: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  consentAction: 'http://terminology.hl7.org/CodeSystem/consentaction',
} as const;

/** Team Around's extensions (complex ones have the sub-extensions named in the decision record). */
export const EXTENSIONS = {
  capacity: `${BASE}/StructureDefinition/capacity-assessment`,
  method: `${BASE}/StructureDefinition/consent-method`,
  note: `${BASE}/StructureDefinition/consent-note`,
  withdrawal: `${BASE}/StructureDefinition/consent-withdrawal`,
} as const;

export const LOINC_PATIENT_CONSENT = '59284-0';
/** LOINC 64292-6 "Release of information consent" is accepted on import as the same kind of consent. */
const LOINC_RELEASE_OF_INFORMATION = '64292-6';

const CATEGORY_LABELS: Record<string, string> = {
  identity: 'Identity',
  whereabouts: 'Addresses',
  family: 'Family and household',
  involvements: 'Who is involved',
  contacts: 'Practitioner contacts',
  education: 'Education',
  health: 'Health',
  social_care: 'Social care',
  police: 'Police',
  youth_justice: 'Youth justice',
  housing: 'Housing',
  probation: 'Probation',
  voluntary: 'Voluntary sector',
};

const GIVEN_BY_LABELS = {
  person: 'The person themselves',
  parental_responsibility: 'Person with parental responsibility',
  lawful_representative: 'Lawful representative',
} as const;

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const purposeDisplay = (p: string) => sentence(PURPOSE_LABELS[p as Purpose] ?? p);

/** What the mapping needs to know about organisations (a reference table, not personal data). */
export interface DirectoryOrganisation {
  id: string;
  name: string;
  typeCode: string;
  officialCode: string;
  /** e.g. "ODS code", "ONS local authority code" */
  codeScheme: string;
}
export interface Directory {
  organisations: readonly DirectoryOrganisation[];
  organisationTypes: ReadonlyArray<{ code: string; label: string; codeScheme: string }>;
}

// ---------- export ----------

/** The identifier an organisation's official code is published under. */
export function organisationIdentifier(o: Pick<DirectoryOrganisation, 'typeCode' | 'officialCode' | 'codeScheme'>): { system: string; value: string } {
  return o.codeScheme === 'ODS code' ? { system: SYSTEMS.ods, value: o.officialCode } : { system: `${SYSTEMS.organisationCodePrefix}${o.typeCode}`, value: o.officialCode };
}

function organisationReference(id: string, dir: Directory): Json {
  const o = dir.organisations.find((x) => x.id === id);
  if (!o) return { reference: `Organization/${id}`, type: 'Organization' };
  return { reference: `Organization/${o.id}`, type: 'Organization', identifier: organisationIdentifier(o), display: o.name };
}

const recipientRole = { coding: [{ system: SYSTEMS.participationType, code: 'IRCP', display: 'information recipient' }] };

function actorsOf(ids: readonly string[], types: readonly string[], dir: Directory): Json[] {
  return [
    ...ids.map((id) => ({ role: recipientRole, reference: organisationReference(id, dir) })),
    ...types.map((t) => ({
      role: recipientRole,
      reference: {
        type: 'Group',
        identifier: { system: SYSTEMS.organisationType, value: t },
        display: `Any ${(dir.organisationTypes.find((x) => x.code === t)?.label ?? t).toLowerCase()}`,
      },
    })),
  ];
}

/** Our purposes as Codings; care_and_support also as v3 TREAT, which it includes (health care). */
function purposeCodings(purposes: readonly string[]): Json[] {
  const out: Json[] = [];
  for (const p of purposes) {
    out.push({ system: SYSTEMS.purpose, code: p, display: purposeDisplay(p) });
    if (p === 'care_and_support') out.push({ system: SYSTEMS.actReason, code: 'TREAT', display: 'treatment' });
  }
  return out;
}

const classCodings = (categories: readonly string[]): Json[] =>
  categories.map((c) => ({ system: SYSTEMS.dataCategory, code: c, display: CATEGORY_LABELS[c] ?? c }));

function period(from: string | null | undefined, until: string | null | undefined): Json | undefined {
  if (!from && !until) return undefined;
  return { ...(from ? { start: from } : {}), ...(until ? { end: until } : {}) };
}

const escapeXhtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function narrative(c: ConsentView, dir: Directory): Json {
  const who = c.givenBy === 'person' ? 'the person' : `${c.givenByName ?? 'someone'} (${GIVEN_BY_LABELS[c.givenBy].toLowerCase()})`;
  const orgName = (id: string) => dir.organisations.find((o) => o.id === id)?.name ?? id;
  const typeName = (t: string) => `any ${(dir.organisationTypes.find((x) => x.code === t)?.label ?? t).toLowerCase()}`;
  const recipients = c.anyRecipient ? 'any recipient' : [...c.recipientOrganisationIds.map(orgName), ...c.recipientOrganisationTypes.map(typeName)].join(', ');
  const lines = [
    `Consent ${c.decision === 'given' ? 'given' : 'refused'} by ${who}, recorded ${c.recordedAt.toISOString().slice(0, 10)} by ${c.organisationName}.`,
    `For: ${c.purposes.map((p) => PURPOSE_LABELS[p as Purpose] ?? p).join(', ')}.`,
    `To: ${recipients}.`,
    `Information: ${c.categories.map((x) => (CATEGORY_LABELS[x] ?? x).toLowerCase()).join(', ')}.`,
    `From ${c.validFrom}${c.validUntil ? ` until ${c.validUntil}` : ''}.`,
    ...c.exceptions.map((e) => `Exception (${e.type}): ${[...e.purposes.map((p) => PURPOSE_LABELS[p as Purpose] ?? p), ...e.organisationIds.map(orgName), ...e.organisationTypes.map(typeName), ...e.categories].join(', ') || 'everything'}.`),
    ...(c.withdrawnAt ? [`Withdrawn ${c.withdrawnAt.toISOString().slice(0, 10)}.`] : []),
  ];
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${lines.map((l) => `<p>${escapeXhtml(l)}</p>`).join('')}</div>` };
}

/** A consent record as an R4 Consent. `baseUrl` is this server's address (for the evidence link). */
export function consentToFhir(c: ConsentView, dir: Directory, options: { baseUrl: string }): Json {
  const withdrawn = c.withdrawnAt !== null;
  const extension: Json[] = [
    {
      url: EXTENSIONS.capacity,
      extension: [
        { url: 'assessment', valueCode: c.capacityAssessment },
        { url: 'outcome', valueCode: c.capacityOutcome },
        ...(c.capacityReasoning ? [{ url: 'reasoning', valueString: c.capacityReasoning }] : []),
        ...(c.capacityAssessedOn ? [{ url: 'assessedOn', valueDate: c.capacityAssessedOn }] : []),
      ],
    },
    { url: EXTENSIONS.method, valueCode: c.method },
    ...(c.notes ? [{ url: EXTENSIONS.note, valueString: c.notes }] : []),
    ...(withdrawn
      ? [
          {
            url: EXTENSIONS.withdrawal,
            extension: [
              { url: 'date', valueDateTime: c.withdrawnAt!.toISOString() },
              ...(c.withdrawalReason ? [{ url: 'reason', valueString: c.withdrawalReason }] : []),
              ...(c.withdrawalMethod ? [{ url: 'method', valueCode: c.withdrawalMethod }] : []),
            ],
          },
        ]
      : []),
  ];
  const identifier: Json[] = [{ system: SYSTEMS.consentId, value: c.id }];
  const external = c.externalId ? splitIdentifier(c.externalId) : null;
  if (external) identifier.push(external);

  const contained: Json[] = [];
  let performer: Json[];
  if (c.givenBy === 'person') {
    performer = [{ reference: `Patient/${c.subjectId}` }];
  } else {
    contained.push({
      resourceType: 'RelatedPerson',
      id: 'given-by',
      ...(c.givenBySubjectId ? { identifier: [{ system: SYSTEMS.personId, value: c.givenBySubjectId }] } : {}),
      patient: { reference: `Patient/${c.subjectId}` },
      relationship: [{ coding: [{ system: SYSTEMS.givenBy, code: c.givenBy, display: GIVEN_BY_LABELS[c.givenBy] }] }],
      ...(c.givenByName ? { name: [{ text: c.givenByName }] } : {}),
    });
    performer = [{ reference: '#given-by', type: 'RelatedPerson', ...(c.givenByName ? { display: c.givenByName } : {}) }];
  }

  const provision: Json = {
    type: c.decision === 'given' ? 'permit' : 'deny',
    period: period(c.validFrom, c.validUntil),
    ...(c.anyRecipient ? {} : { actor: actorsOf(c.recipientOrganisationIds, c.recipientOrganisationTypes, dir) }),
    action: [{ coding: [{ system: SYSTEMS.consentAction, code: 'disclose', display: 'Disclose' }] }],
    purpose: purposeCodings(c.purposes),
    class: classCodings(c.categories),
  };
  if (c.exceptions.length) {
    provision.provision = c.exceptions.map((e) => {
      const p: Json = { type: e.type };
      const pp = period(e.from, e.until);
      if (pp) p.period = pp;
      if (e.organisationIds.length || e.organisationTypes.length) p.actor = actorsOf(e.organisationIds, e.organisationTypes, dir);
      if (e.purposes.length) p.purpose = purposeCodings(e.purposes);
      if (e.categories.length) p.class = classCodings(e.categories);
      return p;
    });
  }

  return {
    resourceType: 'Consent',
    id: c.id,
    meta: { lastUpdated: (c.withdrawnAt ?? c.recordedAt).toISOString() },
    text: narrative(c, dir),
    ...(contained.length ? { contained } : {}),
    extension,
    identifier,
    status: withdrawn ? 'inactive' : 'active',
    scope: { coding: [{ system: SYSTEMS.consentScope, code: 'patient-privacy', display: 'Privacy Consent' }] },
    category: [{ coding: [{ system: SYSTEMS.loinc, code: LOINC_PATIENT_CONSENT, display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${c.subjectId}` },
    dateTime: c.recordedAt.toISOString(),
    performer,
    organization: [organisationReference(c.organisationId, dir)],
    ...(c.evidence
      ? {
          sourceAttachment: {
            contentType: c.evidence.contentType,
            url: `${options.baseUrl}/api/v1/people/${c.subjectId}/consents/${c.id}/evidence`,
            size: c.evidence.sizeBytes,
            title: c.evidence.filename,
          },
        }
      : {}),
    policyRule: {
      coding: [c.decision === 'given' ? { system: SYSTEMS.actCode, code: 'OPTIN', display: 'opt-in' } : { system: SYSTEMS.actCode, code: 'OPTOUT', display: 'opt-out' }],
    },
    provision,
  };
}

/** "system|value" (how an imported identifier is kept as the record's external id) back to an Identifier. */
function splitIdentifier(s: string): { system: string; value: string } | { value: string } {
  const bar = s.indexOf('|');
  return bar > 0 ? { system: s.slice(0, bar), value: s.slice(bar + 1) } : { value: s };
}

// ---------- import ----------

export interface Issue {
  severity: 'error' | 'warning' | 'information';
  /** FHIR issue-type code */
  code: 'structure' | 'required' | 'value' | 'invalid' | 'not-supported' | 'not-found' | 'business-rule' | 'code-invalid';
  expression: string;
  message: string;
}

/** The consent service's input, as produced from a resource (checked again by the service). */
export interface ImportedConsent {
  decision: 'given' | 'refused';
  givenBy: 'person' | 'parental_responsibility' | 'lawful_representative';
  givenBySubjectId?: string;
  givenByName?: string;
  capacityAssessment: string;
  capacityOutcome: string;
  capacityReasoning?: string;
  capacityAssessedOn?: string;
  purposes: string[];
  anyRecipient: boolean;
  recipientOrganisationIds: string[];
  recipientOrganisationTypes: string[];
  categories: string[];
  exceptions: Array<{ type: 'deny' | 'permit'; purposes: string[]; organisationIds: string[]; organisationTypes: string[]; categories: string[]; from?: string; until?: string }>;
  method: string;
  evidence?: { filename: string; contentType: string; contentBase64: string };
  validFrom?: string;
  validUntil?: string;
  notes?: string;
}

export type ImportResult =
  | { ok: true; subjectId: string; input: ImportedConsent; externalId: string | undefined; expressionFor: (field: string) => string }
  | { ok: false; status: 400 | 422; issues: Issue[] };

/** R4 Consent's elements (with the `_x` holders of primitive extensions). */
const CONSENT_ELEMENTS = new Set([
  'resourceType', 'id', 'meta', 'implicitRules', '_implicitRules', 'language', '_language', 'text', 'contained', 'extension', 'modifierExtension',
  'identifier', 'status', '_status', 'scope', 'category', 'patient', 'dateTime', '_dateTime', 'performer', 'organization', 'sourceAttachment',
  'sourceReference', 'policy', 'policyRule', 'verification', 'provision',
]);
const PROVISION_ELEMENTS = new Set([
  'id', 'extension', 'modifierExtension', 'type', '_type', 'period', 'actor', 'action', 'securityLabel', 'purpose', 'class', 'code', 'dataPeriod', 'data', 'provision',
]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FHIR_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const FHIR_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const SHARING_ACTIONS = new Set(['access', 'use', 'disclose']);
const EVIDENCE_TYPES = new Set(['application/pdf', 'image/png', 'image/jpeg']);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const codingText = (c: Json) => `${typeof c.system === 'string' ? `${c.system}#` : ''}${String(c.code ?? '?')}${typeof c.display === 'string' ? ` (${c.display})` : ''}`;

/** Collects issues; every message starts with the element it is about, so it reads on its own. */
class Issues {
  readonly list: Issue[] = [];
  add(code: Issue['code'], expression: string, message: string) {
    this.list.push({ severity: 'error', code, expression, message: message.startsWith(expression) ? message : `${expression}: ${message}` });
  }
  structure(expression: string, message: string) {
    this.add('structure', expression, message);
  }
  required(expression: string, message: string) {
    this.add('required', expression, message);
  }
  unsupported(expression: string, message: string) {
    this.add('not-supported', expression, message);
  }
  notFound(expression: string, message: string) {
    this.add('not-found', expression, message);
  }
  value(expression: string, message: string) {
    this.add('value', expression, message);
  }
}

/** Items of an element that must be an array; anything else is a structure issue. */
function arrayAt(v: unknown, expr: string, issues: Issues): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    issues.structure(expr, `${expr} must be an array`);
    return [];
  }
  return v;
}

function codingsOf(cc: unknown, expr: string, issues: Issues): Json[] {
  if (!isObject(cc)) {
    issues.structure(expr, `${expr} must be a CodeableConcept`);
    return [];
  }
  return arrayAt(cc.coding, `${expr}.coding`, issues).filter(isObject);
}

type OrgResolution = { kind: 'organisation'; org: DirectoryOrganisation } | { kind: 'type'; code: string } | { kind: 'problem'; code: 'structure' | 'not-found' | 'not-supported'; message: string };

/** An Organization, or a kind of organisation (a Group identified by our organisation-type system). */
export function resolveOrganisationReference(ref: unknown, dir: Directory, allowTypes: boolean): OrgResolution {
  if (!isObject(ref)) return { kind: 'problem', code: 'structure', message: 'must be a Reference' };
  if (typeof ref.reference === 'string') {
    const r = ref.reference;
    const m = /^Organization\/([A-Za-z0-9\-.]{1,64})$/.exec(r);
    if (m) {
      const org = dir.organisations.find((o) => o.id === m[1]);
      return org ? { kind: 'organisation', org } : { kind: 'problem', code: 'not-found', message: `${r} is not an organisation recorded here` };
    }
    const other = /^([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}$/.exec(r);
    if (other) {
      return {
        kind: 'problem',
        code: 'not-supported',
        message: `${r}${typeof ref.display === 'string' ? ` (${ref.display})` : ''} is a ${other[1]}: ${allowTypes ? 'recipients here are organisations (Organization/<id> or an official code identifier) or kinds of organisation (a Group identified in ' + SYSTEMS.organisationType + ')' : 'this must be an organisation'}`,
      };
    }
    return { kind: 'problem', code: 'not-supported', message: `${r} is not a reference this server can follow: use Organization/<id>` };
  }
  if (isObject(ref.identifier)) {
    const system = ref.identifier.system;
    const value = ref.identifier.value;
    if (typeof system !== 'string' || typeof value !== 'string') return { kind: 'problem', code: 'structure', message: 'identifier needs a system and a value' };
    if (system === SYSTEMS.organisationType) {
      if (!allowTypes) return { kind: 'problem', code: 'not-supported', message: 'a kind of organisation cannot stand here: name one organisation' };
      const t = dir.organisationTypes.find((x) => x.code === value);
      return t
        ? { kind: 'type', code: t.code }
        : { kind: 'problem', code: 'not-found', message: `${value} is not a kind of organisation known here (${dir.organisationTypes.map((x) => x.code).join(', ')})` };
    }
    let org: DirectoryOrganisation | undefined;
    if (system === SYSTEMS.ods) {
      org = dir.organisations.find((o) => o.codeScheme === 'ODS code' && o.officialCode.toUpperCase() === value.toUpperCase());
    } else if (system.startsWith(SYSTEMS.organisationCodePrefix)) {
      const type = system.slice(SYSTEMS.organisationCodePrefix.length);
      org = dir.organisations.find((o) => o.typeCode === type && o.officialCode === value);
    } else {
      return { kind: 'problem', code: 'not-supported', message: `identifier system ${system} is not one this server knows for organisations (use ${SYSTEMS.ods} or ${SYSTEMS.organisationCodePrefix}<type>)` };
    }
    return org ? { kind: 'organisation', org } : { kind: 'problem', code: 'not-found', message: `the organisation with identifier ${system}|${value} is not recorded here` };
  }
  return { kind: 'problem', code: 'not-supported', message: 'name the organisation by reference (Organization/<id>) or identifier: a display name alone cannot be followed' };
}

/** A period boundary as a whole day, refusing a time of day that a day would widen. */
function dayOf(v: unknown, end: boolean, expr: string, issues: Issues): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    issues.structure(expr, `${expr} must be a dateTime`);
    return undefined;
  }
  const d = FHIR_DATE.exec(v);
  if (d) {
    const [, y, m, day] = d;
    if (day) return `${y}-${m}-${day}`;
    if (m) return end ? `${y}-${m}-${String(new Date(Date.UTC(Number(y), Number(m), 0)).getUTCDate()).padStart(2, '0')}` : `${y}-${m}-01`;
    return end ? `${y}-12-31` : `${y}-01-01`;
  }
  const t = FHIR_DATETIME.exec(v);
  if (!t) {
    issues.structure(expr, `${expr}: ${v} is not a FHIR dateTime`);
    return undefined;
  }
  const [, y, mo, da, hh, mi, ss, frac] = t;
  const midnight = hh === '00' && mi === '00' && ss === '00' && !/[1-9]/.test(frac ?? '');
  const lastSecond = hh === '23' && mi === '59' && ss === '59';
  if ((!end && midnight) || (end && lastSecond)) return `${y}-${mo}-${da}`;
  issues.unsupported(
    expr,
    `${expr}: consent is recorded here by whole days, so ${v} would be widened to the whole of ${y}-${mo}-${da}; give a date, or a time at the ${end ? 'end' : 'start'} of the day`,
  );
  return undefined;
}

interface ParsedProvision {
  type: 'deny' | 'permit' | undefined;
  from?: string;
  until?: string;
  organisationIds: string[];
  organisationTypes: string[];
  /** field suffix ("recipientOrganisationIds.0") -> expression */
  actorExpressions: Map<string, string>;
  purposes: string[];
  categories: string[];
  otherActions: string[];
  nested: unknown[];
}

function parseProvision(p: unknown, expr: string, dir: Directory, issues: Issues, isRoot: boolean): ParsedProvision {
  const out: ParsedProvision = { type: undefined, organisationIds: [], organisationTypes: [], actorExpressions: new Map(), purposes: [], categories: [], otherActions: [], nested: [] };
  if (p === undefined) return out;
  if (!isObject(p)) {
    issues.structure(expr, `${expr} must be an object`);
    return out;
  }
  for (const k of Object.keys(p)) if (!PROVISION_ELEMENTS.has(k)) issues.structure(`${expr}.${k}`, `${k} is not an element of an R4 Consent provision`);

  if (p.type !== undefined) {
    if (p.type === 'permit' || p.type === 'deny') out.type = p.type;
    else issues.structure(`${expr}.type`, `${expr}.type must be permit or deny`);
  } else if (!isRoot) {
    issues.required(`${expr}.type`, 'A nested provision must say whether it permits or denies (R4 requires type in every nested rule)');
  }

  if (p.period !== undefined) {
    if (!isObject(p.period)) issues.structure(`${expr}.period`, `${expr}.period must be a Period`);
    else {
      const from = dayOf(p.period.start, false, `${expr}.period.start`, issues);
      const until = dayOf(p.period.end, true, `${expr}.period.end`, issues);
      if (from) out.from = from;
      if (until) out.until = until;
    }
  }

  for (const [i, a] of arrayAt(p.actor, `${expr}.actor`, issues).entries()) {
    const ax = `${expr}.actor[${i}]`;
    if (!isObject(a)) {
      issues.structure(ax, `${ax} must be an object with role and reference`);
      continue;
    }
    const roles = codingsOf(a.role, `${ax}.role`, issues);
    const recipient = roles.some((c) => c.system === SYSTEMS.participationType && (c.code === 'IRCP' || c.code === 'PRCP'));
    if (!recipient) {
      const named = roles.map(codingText).join(', ') || 'no role';
      const custodian = roles.some((c) => c.system === SYSTEMS.participationType && c.code === 'CST');
      issues.unsupported(
        `${ax}.role`,
        custodian
          ? `${named}: consent here says who may receive information (v3-ParticipationType IRCP or PRCP), not whose records it is about (custodian)`
          : `${named} is not a role recorded here: consent here names recipients (v3-ParticipationType IRCP information recipient, or PRCP)`,
      );
    }
    const r = resolveOrganisationReference(a.reference, dir, true);
    if (r.kind === 'problem') {
      issues.add(r.code, `${ax}.reference`, r.message);
    } else if (recipient && r.kind === 'organisation') {
      if (!out.organisationIds.includes(r.org.id)) out.organisationIds.push(r.org.id);
      out.actorExpressions.set(`organisationIds.${out.organisationIds.indexOf(r.org.id)}`, `${ax}.reference`);
    } else if (recipient && r.kind === 'type') {
      if (!out.organisationTypes.includes(r.code)) out.organisationTypes.push(r.code);
      out.actorExpressions.set(`organisationTypes.${out.organisationTypes.indexOf(r.code)}`, `${ax}.reference`);
    }
  }

  const actions = arrayAt(p.action, `${expr}.action`, issues);
  let sharingAction = false;
  for (const [i, a] of actions.entries()) {
    for (const c of codingsOf(a, `${expr}.action[${i}]`, issues)) {
      if (c.system === SYSTEMS.consentAction && SHARING_ACTIONS.has(String(c.code))) sharingAction = true;
      else out.otherActions.push(codingText(c));
    }
  }
  if (actions.length && !sharingAction) {
    issues.unsupported(`${expr}.action`, `This provision controls ${out.otherActions.join(', ') || 'no action'}, not sharing: consent here is about access, use and disclosure (consentaction access, use, disclose)`);
  }

  const labels = arrayAt(p.securityLabel, `${expr}.securityLabel`, issues).filter(isObject);
  if (labels.length) {
    issues.unsupported(
      `${expr}.securityLabel`,
      `Security labels (${labels.map(codingText).join(', ')}) are not recorded here: kinds of information are named in provision.class with ${SYSTEMS.dataCategory}`,
    );
  }

  const purposeCodingsIn = arrayAt(p.purpose, `${expr}.purpose`, issues).filter(isObject);
  const ours = new Set(purposeCodingsIn.filter((c) => c.system === SYSTEMS.purpose).map((c) => String(c.code)));
  for (const [i, c] of purposeCodingsIn.entries()) {
    const px = `${expr}.purpose[${i}]`;
    if (c.system === SYSTEMS.purpose) {
      if ((PURPOSES as readonly string[]).includes(String(c.code))) {
        if (!out.purposes.includes(String(c.code))) out.purposes.push(String(c.code));
      } else issues.value(px, `${String(c.code)} is not one of the purposes in ${SYSTEMS.purpose} (${PURPOSES.join(', ')})`);
    } else if (c.system === SYSTEMS.actReason && c.code === 'TREAT') {
      // Health care only: our care_and_support covers health and social care, so on its own it would widen the statement.
      if (!ours.has('care_and_support')) {
        issues.unsupported(
          px,
          `${codingText(c)} means health care only; the nearest purpose here, care_and_support, also covers social care, so recording it would change what was decided: state the purpose in ${SYSTEMS.purpose}`,
        );
      }
    } else {
      issues.unsupported(px, `${codingText(c)} has no equivalent among the purposes recorded here: state the purpose in ${SYSTEMS.purpose} (${PURPOSES.join(', ')})`);
    }
  }

  for (const [i, c] of arrayAt(p.class, `${expr}.class`, issues).entries()) {
    const cx = `${expr}.class[${i}]`;
    if (!isObject(c)) {
      issues.structure(cx, `${cx} must be a Coding`);
      continue;
    }
    if (c.system === SYSTEMS.dataCategory && SHAREABLE_CATEGORIES.includes(String(c.code) as (typeof SHAREABLE_CATEGORIES)[number])) {
      if (!out.categories.includes(String(c.code))) out.categories.push(String(c.code));
    } else if (c.system === SYSTEMS.dataCategory) {
      issues.value(cx, `${String(c.code)} is not a kind of information that can be shared (${SHAREABLE_CATEGORIES.join(', ')})`);
    } else {
      issues.unsupported(cx, `${codingText(c)} is not a kind of information recorded here: name kinds of information with ${SYSTEMS.dataCategory} (${SHAREABLE_CATEGORIES.join(', ')})`);
    }
  }

  if (p.code !== undefined) {
    issues.unsupported(`${expr}.code`, 'Consent here covers kinds of information (provision.class), not documents or records with particular codes');
  }
  if (p.dataPeriod !== undefined) {
    issues.unsupported(`${expr}.dataPeriod`, 'Consent here covers kinds of information whenever recorded: limiting it to information from a period is not recorded');
  }
  for (const [i, d] of arrayAt(p.data, `${expr}.data`, issues).entries()) {
    const ref = isObject(d) && isObject(d.reference) && typeof d.reference.reference === 'string' ? d.reference.reference : 'a specific resource';
    issues.unsupported(`${expr}.data[${i}].reference`, `${ref} is a single record: consent here covers kinds of information (provision.class), not particular records (none of which is held here under that reference)`);
  }
  const nested = arrayAt(p.provision, `${expr}.provision`, issues);
  if (nested.length && !isRoot) issues.unsupported(`${expr}.provision`, 'Exceptions to exceptions are not recorded here: one level of nested provisions is');
  else out.nested = nested;
  return out;
}

function extensionsByUrl(v: unknown, expr: string, issues: Issues): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const [i, e] of arrayAt(v, expr, issues).entries()) {
    if (!isObject(e) || typeof e.url !== 'string') {
      issues.structure(`${expr}[${i}]`, `${expr}[${i}] must be an Extension with a url`);
      continue;
    }
    out.set(e.url, e);
  }
  return out;
}

/** Where modifier extensions are, anywhere in the resource. */
function modifierExtensions(v: unknown, at: string): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => modifierExtensions(x, `${at}[${i}]`));
  if (!isObject(v)) return [];
  return Object.entries(v).flatMap(([k, x]) => (k === 'modifierExtension' ? [`${at}.modifierExtension`] : modifierExtensions(x, `${at}.${k}`)));
}

const extExpr = (url: string, sub?: string) => `Consent.extension('${url}')${sub ? `.extension('${sub}')` : ''}`;

/**
 * A Consent resource as the consent service's input. `dir` resolves organisations;
 * `caller` is the importing practitioner's organisation, which records it.
 */
export function consentFromFhir(body: unknown, dir: Directory, caller: { organisationId: string; organisationName: string }): ImportResult {
  const issues = new Issues();
  if (!isObject(body)) {
    issues.structure('Consent', 'The body must be a JSON object: an R4 Consent resource');
    return { ok: false, status: 400, issues: issues.list };
  }
  if (body.resourceType !== 'Consent') {
    issues.structure('Consent.resourceType', `resourceType must be "Consent", not ${JSON.stringify(body.resourceType ?? null)}`);
    return { ok: false, status: 400, issues: issues.list };
  }
  for (const k of Object.keys(body)) if (!CONSENT_ELEMENTS.has(k)) issues.structure(`Consent.${k}`, `${k} is not an element of an R4 Consent`);
  for (const at of modifierExtensions(body, 'Consent')) issues.unsupported(at, 'A modifier extension changes the meaning of what it is on, and none is understood here');
  if (body.implicitRules !== undefined) issues.unsupported('Consent.implicitRules', `The resource says it must be read by rules (${String(body.implicitRules)}) this server does not know`);

  const expressions = new Map<string, string>([['form', 'Consent']]);
  const notes: string[] = [];

  // status
  const STATUS_REASONS: Record<string, string> = {
    inactive: 'an ended (inactive) consent is not imported: import it while active, then record its withdrawal here so the history shows who recorded it and when',
    rejected: 'a refusal of consent is imported as status active with provision.type deny (and policyRule OPTOUT)',
    draft: 'a draft is not yet agreed, so there is no decision to record',
    proposed: 'a proposed consent is not yet agreed by all parties, so there is no decision to record',
    'entered-in-error': 'it was entered in error, so there is nothing to record',
  };
  if (body.status === undefined) issues.required('Consent.status', 'Consent.status is required (active)');
  else if (typeof body.status !== 'string' || !(body.status === 'active' || body.status in STATUS_REASONS)) {
    issues.structure('Consent.status', 'Consent.status must be one of draft, proposed, active, rejected, inactive, entered-in-error');
  } else if (body.status !== 'active') issues.unsupported('Consent.status', `Consent.status is ${body.status}: ${STATUS_REASONS[body.status]}`);

  // scope and category
  if (body.scope === undefined) issues.required('Consent.scope', 'Consent.scope is required: patient-privacy');
  else {
    const scope = codingsOf(body.scope, 'Consent.scope', issues);
    if (!scope.some((c) => c.system === SYSTEMS.consentScope && c.code === 'patient-privacy')) {
      issues.unsupported('Consent.scope', `Only privacy consents (consentscope#patient-privacy: consent to share information) are recorded here, not ${scope.map(codingText).join(', ') || 'this scope'}`);
    }
  }
  const categories = arrayAt(body.category, 'Consent.category', issues);
  if (body.category === undefined || categories.length === 0) issues.required('Consent.category', `Consent.category is required: LOINC ${LOINC_PATIENT_CONSENT} (Patient consent)`);
  for (const [i, cc] of categories.entries()) {
    const codings = codingsOf(cc, `Consent.category[${i}]`, issues);
    const known = codings.some((c) => c.system === SYSTEMS.loinc && (c.code === LOINC_PATIENT_CONSENT || c.code === LOINC_RELEASE_OF_INFORMATION));
    if (!known) {
      issues.unsupported(
        `Consent.category[${i}]`,
        `${codings.map(codingText).join(', ') || 'This category'} is not a kind of consent recorded here: this server records consent to share information (LOINC ${LOINC_PATIENT_CONSENT} Patient consent)`,
      );
    }
  }

  // patient
  let subjectId = '';
  if (body.patient === undefined) issues.required('Consent.patient', 'Consent.patient is required: the person the consent is about (Patient/<id>)');
  else if (!isObject(body.patient) || typeof body.patient.reference !== 'string') {
    issues.unsupported('Consent.patient', 'Consent.patient must name a person recorded here by reference (Patient/<id>); finding people by identifier is not done on import');
  } else {
    const m = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(body.patient.reference);
    if (!m) issues.unsupported('Consent.patient', `${body.patient.reference} is not a reference to a person here (Patient/<id>)`);
    else if (!UUID.test(m[1]!)) issues.notFound('Consent.patient', `${body.patient.reference} is not a person recorded here`);
    else subjectId = m[1]!.toLowerCase();
  }
  const patientRef = isObject(body.patient) && typeof body.patient.reference === 'string' ? body.patient.reference : undefined;

  // dateTime
  let issuedOn: string | undefined;
  if (body.dateTime !== undefined) {
    if (typeof body.dateTime !== 'string' || !(FHIR_DATE.test(body.dateTime) || FHIR_DATETIME.test(body.dateTime))) issues.structure('Consent.dateTime', 'Consent.dateTime must be a FHIR dateTime');
    else if (/^\d{4}-\d{2}-\d{2}/.test(body.dateTime)) issuedOn = body.dateTime.slice(0, 10);
  }

  // performer: who gave or refused it
  let givenBy: ImportedConsent['givenBy'] = 'person';
  let givenByName: string | undefined;
  let givenBySubjectId: string | undefined;
  const performers = arrayAt(body.performer, 'Consent.performer', issues);
  expressions.set('givenBy', performers.length ? 'Consent.performer[0]' : 'Consent.performer');
  if (performers.length > 1) issues.unsupported('Consent.performer[1]', 'One person gives or refuses consent here: name only them');
  const performer = performers[0];
  if (performer !== undefined) {
    const ref = isObject(performer) && typeof performer.reference === 'string' ? performer.reference : undefined;
    if (!ref) issues.unsupported('Consent.performer[0]', 'Name who gave or refused consent by reference: Patient/<id> for the person, or #<id> of a contained RelatedPerson');
    else if (ref.startsWith('#')) {
      const contained = arrayAt(body.contained, 'Consent.contained', issues);
      const index = contained.findIndex((r) => isObject(r) && r.id === ref.slice(1));
      const rp = contained[index];
      if (!isObject(rp) || rp.resourceType !== 'RelatedPerson') {
        issues.structure('Consent.performer[0]', `${ref} must be a RelatedPerson contained in the Consent`);
      } else {
        const cx = `Consent.contained[${index}]`;
        const rel = arrayAt(rp.relationship, `${cx}.relationship`, issues).flatMap((cc, i) => codingsOf(cc, `${cx}.relationship[${i}]`, issues));
        const code = rel.find((c) => c.system === SYSTEMS.givenBy && (c.code === 'parental_responsibility' || c.code === 'lawful_representative'))?.code;
        if (code === 'parental_responsibility' || code === 'lawful_representative') givenBy = code;
        else {
          issues.unsupported(
            `${cx}.relationship`,
            `Say in what capacity they decided for the person: ${SYSTEMS.givenBy}#parental_responsibility or #lawful_representative${rel.length ? `, not ${rel.map(codingText).join(', ')}` : ''}`,
          );
        }
        const name = arrayAt(rp.name, `${cx}.name`, issues).filter(isObject)[0];
        if (name) {
          const text = typeof name.text === 'string' ? name.text : [...(Array.isArray(name.given) ? name.given : []), name.family].filter((x) => typeof x === 'string').join(' ');
          if (text.trim()) givenByName = text.trim();
        }
        const linked = arrayAt(rp.identifier, `${cx}.identifier`, issues).filter(isObject).find((i) => i.system === SYSTEMS.personId);
        if (linked) {
          if (typeof linked.value === 'string' && UUID.test(linked.value)) givenBySubjectId = linked.value.toLowerCase();
          else issues.value(`${cx}.identifier`, `${String(linked.value)} is not a person recorded here`);
        }
        expressions.set('givenByName', `${cx}.name`);
        expressions.set('givenBySubjectId', `${cx}.identifier`);
        expressions.set('givenBy', `${cx}.relationship`);
      }
    } else if (patientRef && ref === patientRef) {
      givenBy = 'person';
    } else if (/^RelatedPerson\//.test(ref)) {
      issues.unsupported(
        'Consent.performer[0]',
        `${ref} is not held here: name who decided in a contained RelatedPerson with their name and their relationship (${SYSTEMS.givenBy}#parental_responsibility or #lawful_representative)`,
      );
    } else {
      issues.unsupported(
        'Consent.performer[0]',
        `${ref} is not the person the consent is about: someone deciding for them is named in a contained RelatedPerson with their relationship (parental_responsibility or lawful_representative)`,
      );
    }
  }

  // organization: who manages it here is the importer's own organisation
  for (const [i, o] of arrayAt(body.organization, 'Consent.organization', issues).entries()) {
    const r = resolveOrganisationReference(o, dir, false);
    if (r.kind === 'problem') {
      issues.add(r.code, `Consent.organization[${i}]`, r.message);
    } else if (r.kind === 'organisation' && r.org.id !== caller.organisationId) {
      issues.value(`Consent.organization[${i}]`, `Consent recorded here is managed by the importing organisation (${caller.organisationName}); ${r.org.name} records its own`);
    }
  }

  // extensions: capacity, method, note
  const ext = extensionsByUrl(body.extension, 'Consent.extension', issues);
  let capacityAssessment = 'presumed';
  let capacityOutcome = 'capable';
  let capacityReasoning: string | undefined;
  let capacityAssessedOn: string | undefined;
  const capacity = ext.get(EXTENSIONS.capacity);
  for (const f of ['capacityAssessment', 'capacityOutcome', 'capacityReasoning', 'capacityAssessedOn']) expressions.set(f, extExpr(EXTENSIONS.capacity));
  if (capacity) {
    const sub = extensionsByUrl(capacity.extension, extExpr(EXTENSIONS.capacity), issues);
    const a = sub.get('assessment')?.valueCode;
    const o = sub.get('outcome')?.valueCode;
    if (a === 'gillick' || a === 'mental_capacity' || a === 'presumed') capacityAssessment = a;
    else issues.value(extExpr(EXTENSIONS.capacity, 'assessment'), 'The capacity assessment must be gillick, mental_capacity or presumed');
    if (o === 'capable' || o === 'not_capable') capacityOutcome = o;
    else issues.value(extExpr(EXTENSIONS.capacity, 'outcome'), 'The capacity outcome must be capable or not_capable');
    const reasoning = sub.get('reasoning')?.valueString;
    if (typeof reasoning === 'string') capacityReasoning = reasoning;
    const on = sub.get('assessedOn')?.valueDate;
    if (typeof on === 'string') capacityAssessedOn = on;
    expressions.set('capacityAssessment', extExpr(EXTENSIONS.capacity, 'assessment'));
    expressions.set('capacityOutcome', extExpr(EXTENSIONS.capacity, 'outcome'));
    expressions.set('capacityReasoning', extExpr(EXTENSIONS.capacity, 'reasoning'));
    expressions.set('capacityAssessedOn', extExpr(EXTENSIONS.capacity, 'assessedOn'));
  }
  if (ext.has(EXTENSIONS.withdrawal)) issues.unsupported(extExpr(EXTENSIONS.withdrawal), 'A withdrawal is recorded here against the consent, not imported with it');
  const note = ext.get(EXTENSIONS.note)?.valueString;
  if (typeof note === 'string' && note.trim()) notes.push(note.trim());
  expressions.set('notes', extExpr(EXTENSIONS.note));

  // source: the evidence by value, or a note of where it is
  let evidence: ImportedConsent['evidence'];
  if (body.sourceAttachment !== undefined) {
    const a = body.sourceAttachment;
    if (!isObject(a)) issues.structure('Consent.sourceAttachment', 'Consent.sourceAttachment must be an Attachment');
    else if (typeof a.data === 'string') {
      if (typeof a.contentType !== 'string' || !EVIDENCE_TYPES.has(a.contentType)) {
        issues.value('Consent.sourceAttachment.contentType', 'The evidence must be a PDF, PNG or JPEG file (contentType application/pdf, image/png or image/jpeg)');
      } else {
        const ext2 = a.contentType === 'application/pdf' ? 'pdf' : a.contentType === 'image/png' ? 'png' : 'jpg';
        evidence = { filename: typeof a.title === 'string' && a.title.trim() ? a.title.trim().slice(0, 200) : `consent-evidence.${ext2}`, contentType: a.contentType, contentBase64: a.data };
      }
    } else {
      const where = [typeof a.title === 'string' ? a.title : null, typeof a.url === 'string' ? a.url : null].filter(Boolean).join(', ');
      if (where) notes.push(`Source document (not held here): ${where}`);
    }
  }
  expressions.set('evidence', 'Consent.sourceAttachment');
  if (isObject(body.sourceReference)) {
    const where = [body.sourceReference.reference, body.sourceReference.display].filter((x) => typeof x === 'string').join(', ');
    if (where) notes.push(`Source (not held here): ${where}`);
  }
  for (const pol of arrayAt(body.policy, 'Consent.policy', issues).filter(isObject)) {
    const where = [pol.uri, pol.authority].filter((x) => typeof x === 'string').join(', ');
    if (where) notes.push(`Policy: ${where}`);
  }
  if (body.verification !== undefined) issues.unsupported('Consent.verification', 'Verification of treatment instructions is not part of a consent to share information');

  let method: string | undefined = ext.get(EXTENSIONS.method)?.valueCode as string | undefined;
  expressions.set('method', ext.has(EXTENSIONS.method) ? extExpr(EXTENSIONS.method) : 'Consent');
  if (method !== undefined && !['verbal', 'written', 'electronic'].includes(method)) {
    issues.value(extExpr(EXTENSIONS.method), 'How consent was given must be verbal, written or electronic');
    method = undefined;
  }
  // Without our extension: written where the statement carries or points to a document, else the
  // electronic statement received is itself the record.
  method ??= body.sourceAttachment !== undefined || body.sourceReference !== undefined ? 'written' : 'electronic';

  // the rules: the root provision and its exceptions
  const root = parseProvision(body.provision, 'Consent.provision', dir, issues, true);
  const policyCodes = body.policyRule === undefined ? [] : codingsOf(body.policyRule, 'Consent.policyRule', issues);
  const policyDecision = policyCodes.some((c) => c.system === SYSTEMS.actCode && c.code === 'OPTOUT') ? 'refused' : policyCodes.some((c) => c.system === SYSTEMS.actCode && c.code === 'OPTIN') ? 'given' : undefined;
  const decision = root.type ? (root.type === 'permit' ? 'given' : 'refused') : policyDecision;
  expressions.set('decision', root.type ? 'Consent.provision.type' : 'Consent.policyRule');
  if (!decision) {
    issues.required(
      'Consent.provision.type',
      'Say whether consent was given or refused: provision.type permit or deny, or policyRule v3-ActCode OPTIN or OPTOUT',
    );
  }
  if (root.otherActions.length && decision) notes.push(`The statement also controlled ${root.otherActions.join(', ')}, which this server does not record`);

  const named = (k: string) => isObject(body.provision) && body.provision[k] !== undefined;
  let purposes = root.purposes;
  let rootCategories = root.categories;
  if (decision === 'given') {
    if (purposes.length === 0 && !named('purpose')) {
      issues.required(
        'Consent.provision.purpose',
        `Name the purposes consent was given for (${SYSTEMS.purpose}: ${PURPOSES.join(', ')}): consent here is for stated purposes, and consent for one purpose does not cover another`,
      );
    }
    if (rootCategories.length === 0 && !named('class')) {
      issues.required('Consent.provision.class', `Name the kinds of information consent covers (${SYSTEMS.dataCategory}: ${SHAREABLE_CATEGORIES.join(', ')})`);
    }
  } else if (decision === 'refused') {
    // A refusal that names no purpose or kind of information refuses them all (as FHIR reads an unconstrained rule).
    if (purposes.length === 0 && !named('purpose')) {
      purposes = [...PURPOSES];
      notes.push('The refusal named no purpose, so it is recorded for every purpose');
    }
    if (rootCategories.length === 0 && !named('class')) {
      rootCategories = [...SHAREABLE_CATEGORIES];
      notes.push('The refusal named no kind of information, so it is recorded for all of them');
    }
  }
  expressions.set('purposes', 'Consent.provision.purpose');
  expressions.set('categories', 'Consent.provision.class');
  expressions.set('anyRecipient', 'Consent.provision.actor');
  expressions.set('recipientOrganisationIds', 'Consent.provision.actor');
  expressions.set('recipientOrganisationTypes', 'Consent.provision.actor');
  for (const [k, v] of root.actorExpressions) expressions.set(k.startsWith('organisationIds') ? `recipientOrganisationIds${k.slice('organisationIds'.length)}` : `recipientOrganisationTypes${k.slice('organisationTypes'.length)}`, v);

  const exceptions: ImportedConsent['exceptions'] = [];
  for (const [i, n] of root.nested.entries()) {
    const nx = `Consent.provision.provision[${i}]`;
    const e = parseProvision(n, nx, dir, issues, false);
    if (e.otherActions.length && e.type) notes.push(`Exception ${i + 1} also controlled ${e.otherActions.join(', ')}, which this server does not record`);
    if (!e.type) continue;
    expressions.set(`exceptions.${exceptions.length}`, nx);
    for (const [k, v] of e.actorExpressions) expressions.set(`exceptions.${exceptions.length}.${k}`, v);
    expressions.set(`exceptions.${exceptions.length}.from`, `${nx}.period.start`);
    expressions.set(`exceptions.${exceptions.length}.until`, `${nx}.period.end`);
    exceptions.push({
      type: e.type,
      purposes: e.purposes,
      organisationIds: e.organisationIds,
      organisationTypes: e.organisationTypes,
      categories: e.categories,
      ...(e.from ? { from: e.from } : {}),
      ...(e.until ? { until: e.until } : {}),
    });
  }

  const validFrom = root.from ?? issuedOn;
  expressions.set('validFrom', root.from ? 'Consent.provision.period.start' : 'Consent.dateTime');
  expressions.set('validUntil', 'Consent.provision.period.end');

  // The identifier another system gave the statement, so importing it twice records it once.
  let externalId: string | undefined;
  for (const id of arrayAt(body.identifier, 'Consent.identifier', issues)) {
    if (isObject(id) && typeof id.value === 'string' && id.system !== SYSTEMS.consentId) {
      externalId = `${typeof id.system === 'string' ? `${id.system}|` : ''}${id.value}`.slice(0, 500);
      break;
    }
  }

  if (issues.list.length) {
    return { ok: false, status: issues.list.some((i) => i.code === 'structure') ? 400 : 422, issues: issues.list };
  }
  const input: ImportedConsent = {
    decision: decision!,
    givenBy,
    ...(givenBySubjectId ? { givenBySubjectId } : {}),
    ...(givenByName ? { givenByName } : {}),
    capacityAssessment,
    capacityOutcome,
    ...(capacityReasoning ? { capacityReasoning } : {}),
    ...(capacityAssessedOn ? { capacityAssessedOn } : {}),
    purposes,
    anyRecipient: root.organisationIds.length === 0 && root.organisationTypes.length === 0,
    recipientOrganisationIds: root.organisationIds,
    recipientOrganisationTypes: root.organisationTypes,
    categories: rootCategories,
    exceptions,
    method,
    ...(evidence ? { evidence } : {}),
    ...(validFrom ? { validFrom } : {}),
    ...(root.until ? { validUntil: root.until } : {}),
    ...(notes.length ? { notes: notes.join('\n') } : {}),
  };
  const expressionFor = (field: string): string => {
    for (let f = field; f; f = f.includes('.') ? f.slice(0, f.lastIndexOf('.')) : '') {
      const e = expressions.get(f);
      if (e) return e;
    }
    return 'Consent';
  };
  return { ok: true, subjectId, input, externalId, expressionFor };
}
