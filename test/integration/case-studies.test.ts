/**
 * The fourteen case studies of the LSCB multi-agency information sharing guidance (part two), each
 * an end-to-end test through the JSON API: the case's people, involvements, notes and consent are
 * recorded through the API, the case's decision is made through the guided decision, and the test
 * asserts the recorded outcome, the approval, who can see what afterwards, what stays hidden, the
 * audit entries and the sharing history. Every name is invented; staff the demo partnership lacks
 * are set up once through the admin service (setting up staff is not the case's data).
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.ts';
import type { Principal } from '../../src/services/principal.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

const CLI = { userId: null, label: 'test', organisationId: null, roles: [] };
const CTX = { requestId: null, ip: null };
const DAY = 86_400_000;
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
/** A date of birth that makes someone `years` old today (and not about to have a birthday). */
const bornYearsAgo = (years: number) => {
  const d = new Date(Date.now() - 40 * DAY);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.toISOString().slice(0, 10);
};
const PDF = Buffer.from('%PDF-1.4\n% Signed information sharing consent form (synthetic)\n%%EOF\n').toString('base64');

/** The demo partnership's practitioners these cases use. */
const DEMO = {
  ig: 'ig.lead@csc.northbridge.example',
  socialWorker: 'social.worker@csc.northbridge.example',
  mash: 'mash.officer@csc.northbridge.example',
  earlyHelp: 'early.help@csc.northbridge.example',
  cscManager: 'team.manager@csc.northbridge.example',
  police: 'police.officer@police.northbridge.example',
  healthVisitor: 'health.visitor@nhs.northbridge.example',
  gp: 'gp@riverside.northbridge.example',
  housing: 'housing.officer@homes.northbridge.example',
  yjs: 'yjs.worker@yjs.northbridge.example',
  familySupport: 'family.support@familysupport.northbridge.example',
} as const;

/** Organisations the demo lacks (all invented). */
const NEW_ORGS = [
  { key: 'asc', name: 'Northbridge Adult Social Care', typeCode: 'adult_social_care', officialCode: 'E06009902', emailDomain: 'asc.northbridge.example', teams: ['Disability Community Support', 'Adult Safeguarding and Assessment'] },
  { key: 'academy', name: 'Northbridge Academy', typeCode: 'school', officialCode: '999902', emailDomain: 'academy.northbridge.example', teams: ['Student Support'] },
  { key: 'westmere', name: 'Westmere Community Health NHS Trust', typeCode: 'nhs_trust', officialCode: 'RW8', emailDomain: 'westmere-health.example', teams: ['Children\'s Therapy'] },
  { key: 'homeless', name: 'Northbridge Homelessness Service', typeCode: 'voluntary_sector', officialCode: '1199902', emailDomain: 'homeless.northbridge.example', teams: ['Intake and Assessment'] },
] as const;
const DEMO_ORG_NAMES = {
  csc: 'Northbridge Children\'s Services',
  police: 'Northbridge Police',
  nhs: 'Northbridge Community Health NHS Trust',
  gp: 'Riverside Medical Practice',
  housing: 'Northbridge Homes',
  yjs: 'Northbridge Youth Justice Service',
  vcs: 'Northbridge Family Support Trust',
} as const;
type OrgKey = keyof typeof DEMO_ORG_NAMES | (typeof NEW_ORGS)[number]['key'];
/** Teams added to demo organisations. */
const NEW_TEAMS: Array<{ org: OrgKey; name: string }> = [
  { org: 'vcs', name: 'Money Advice' },
  { org: 'vcs', name: 'Short Breaks' },
  { org: 'vcs', name: 'Community Transport' },
  { org: 'vcs', name: 'Young People\'s Counselling' },
  { org: 'nhs', name: 'Adult Mental Health' },
  { org: 'nhs', name: 'CAMHS' },
  { org: 'nhs', name: 'Children\'s Therapy at Home' },
  { org: 'nhs', name: 'Community Midwifery' },
];
/** Practitioners and managers the demo lacks (all invented). */
const NEW_STAFF = {
  sergeant: { email: 'sergeant@police.northbridge.example', name: 'DS Nadia Ferris', org: 'police', teams: ['Public Protection Unit'], roles: ['team_manager', 'practitioner'] },
  vcsManager: {
    email: 'manager@familysupport.northbridge.example', name: 'Owen Castell', org: 'vcs',
    teams: ['Family Support Workers', 'Domestic Abuse Outreach', 'Money Advice', 'Short Breaks', 'Community Transport', 'Young People\'s Counselling'], roles: ['team_manager', 'practitioner'],
  },
  moneyAdviser: { email: 'money.adviser@familysupport.northbridge.example', name: 'Priya Lomas', org: 'vcs', teams: ['Money Advice'], roles: ['practitioner'] },
  counsellor: { email: 'counsellor@familysupport.northbridge.example', name: 'Hannah Greaves', org: 'vcs', teams: ['Domestic Abuse Outreach'], roles: ['practitioner'] },
  daOutreach: { email: 'da.outreach@familysupport.northbridge.example', name: 'Zara Pennock', org: 'vcs', teams: ['Domestic Abuse Outreach'], roles: ['practitioner'] },
  respite: { email: 'respite.worker@familysupport.northbridge.example', name: 'Tasha Milne', org: 'vcs', teams: ['Short Breaks'], roles: ['practitioner'] },
  transportManager: { email: 'transport.manager@familysupport.northbridge.example', name: 'Gwen Arkwright', org: 'vcs', teams: ['Community Transport'], roles: ['team_manager', 'practitioner'] },
  ypCounsellor: { email: 'yp.counsellor@familysupport.northbridge.example', name: 'Imogen Darby', org: 'vcs', teams: ['Young People\'s Counselling'], roles: ['practitioner'] },
  amhWorker: { email: 'amh.worker@nhs.northbridge.example', name: 'Callum Reyes', org: 'nhs', teams: ['Adult Mental Health'], roles: ['practitioner'] },
  amhManager: { email: 'amh.manager@nhs.northbridge.example', name: 'Esther Mwangi', org: 'nhs', teams: ['Adult Mental Health'], roles: ['team_manager', 'practitioner'] },
  camhs: { email: 'camhs@nhs.northbridge.example', name: 'Laura Quist', org: 'nhs', teams: ['CAMHS'], roles: ['practitioner'] },
  camhsManager: { email: 'camhs.manager@nhs.northbridge.example', name: 'Tom Ellery', org: 'nhs', teams: ['CAMHS'], roles: ['team_manager', 'practitioner'] },
  therapyCoordinator: { email: 'therapy.coordinator@nhs.northbridge.example', name: 'Dev Sharma', org: 'nhs', teams: ['Children\'s Therapy at Home'], roles: ['practitioner'] },
  therapyManager: { email: 'therapy.manager@nhs.northbridge.example', name: 'Alison Pryce', org: 'nhs', teams: ['Children\'s Therapy at Home'], roles: ['team_manager', 'practitioner'] },
  midwife: { email: 'midwife@nhs.northbridge.example', name: 'Nia Roberts', org: 'nhs', teams: ['Community Midwifery'], roles: ['practitioner'] },
  disabilityWorker: { email: 'disability.worker@asc.northbridge.example', name: 'Ben Okafor', org: 'asc', teams: ['Disability Community Support'], roles: ['practitioner'] },
  supportWorker: { email: 'support.worker@asc.northbridge.example', name: 'Rhys Calder', org: 'asc', teams: ['Disability Community Support'], roles: ['practitioner'] },
  disabilityManager: { email: 'disability.manager@asc.northbridge.example', name: 'Mina Patel', org: 'asc', teams: ['Disability Community Support'], roles: ['team_manager', 'practitioner'] },
  adultSocialWorker: { email: 'adult.social.worker@asc.northbridge.example', name: 'Joe Whitcombe', org: 'asc', teams: ['Adult Safeguarding and Assessment'], roles: ['practitioner'] },
  schoolCounsellor: { email: 'counsellor@academy.northbridge.example', name: 'Grace Nwosu', org: 'academy', teams: ['Student Support'], roles: ['practitioner'] },
  westmereTherapist: { email: 'therapist@westmere-health.example', name: 'Olu Adeyemi', org: 'westmere', teams: ['Children\'s Therapy'], roles: ['practitioner'] },
  intakeWorker: { email: 'intake@homeless.northbridge.example', name: 'Sian Morley', org: 'homeless', teams: ['Intake and Assessment'], roles: ['practitioner'] },
  homelessManager: { email: 'manager@homeless.northbridge.example', name: 'Pete Varley', org: 'homeless', teams: ['Intake and Assessment'], roles: ['team_manager', 'practitioner'] },
} satisfies Record<string, { email: string; name: string; org: OrgKey; teams: string[]; roles: string[] }>;

type Who = keyof typeof DEMO | keyof typeof NEW_STAFF;
type Body = Record<string, unknown>;
interface Item { type: string; id: string | null; category: string; label: string; detail: string }
interface DisclosureView { id: string; subjectId: string; subjectName: string | null; categories: string[]; items: Array<{ type: string; id: string | null }>; shown: Item[]; unavailable: unknown[] }

describe(`The LSCB case studies, end to end through the API (${describeDatabase()})`, () => {
  let t: TestApp;
  const staff = {} as Record<Who, { token: string; userId: string; organisationId: string; name: string }>;
  const orgs = {} as Record<OrgKey, string>;
  const teams = new Map<string, string>();
  const serviceIds = {} as Record<'amh' | 'camhs' | 'da', string>;

  // ---------- calling the API ----------

  const call = (who: Who, method: 'get' | 'post', path: string, body?: unknown) => {
    const r = request(t.app)[method](path).set('Authorization', `Bearer ${staff[who].token}`);
    return body === undefined ? r : r.send(body as object);
  };
  const ok = async (p: request.Test, status = 200) => {
    const where = `${p.method} ${p.url}`;
    const res = await p;
    expect(res.status, `${where}: ${JSON.stringify(res.body)}`).toBe(status);
    return res.body;
  };
  /** A request the API must refuse; returns the error's fields. */
  const refused = async (p: request.Test, status = 400): Promise<Record<string, string>> => {
    const res = await p;
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res.body.error.fields ?? { message: res.body.error.message };
  };

  // ---------- the case's data, all through the API ----------

  const person = async (who: Who, p: { given: string; family: string; sex: 'female' | 'male' | 'unknown'; dob: string; expected?: boolean; address?: { line1: string; postcode: string } }) =>
    (
      await ok(
        call(who, 'post', '/api/v1/people', {
          givenNames: p.given,
          familyName: p.family,
          sex: p.sex,
          dobPrecision: p.expected ? 'expected' : 'exact',
          dateOfBirth: p.dob,
          ...(p.address ? { address: { ...p.address, town: 'Northbridge' } } : {}),
          confirmNotDuplicate: true,
        }),
        201,
      )
    ).subjectId as string;
  const involve = async (who: Who, subjectId: string, role: string, extra: Body = {}) =>
    (await ok(call(who, 'post', `/api/v1/people/${subjectId}/involvements`, { role, startDate: day(-30), ...extra }), 201)).id as string;
  const relate = async (who: Who, from: string, type: string, to: string) => ok(call(who, 'post', `/api/v1/people/${from}/relationships`, { relatedSubjectId: to, type }), 201);
  const note = async (who: Who, subjectId: string, category: string, kind: string, title: string, body: string) =>
    (await ok(call(who, 'post', `/api/v1/people/${subjectId}/notes`, { category, kind, title, body }), 201)).id as string;
  const consent = async (who: Who, subjectId: string, body: Body) => (await ok(call(who, 'post', `/api/v1/people/${subjectId}/consents`, { method: 'verbal', ...body }), 201)).id as string;
  const shareable = async (who: Who, subjectId: string) => (await ok(call(who, 'get', `/api/v1/people/${subjectId}/shareable`))).items as Item[];
  const itemId = (items: Item[], type: string, labelPart: string) => {
    const found = items.find((i) => i.type === type && i.label.includes(labelPart));
    if (!found) throw new Error(`No ${type} item "${labelPart}" among ${items.map((i) => i.label).join(' | ')}`);
    return { type, id: found.id };
  };
  const decide = async (who: Who, subjectId: string, body: Body) =>
    ok(call(who, 'post', `/api/v1/people/${subjectId}/sharing-decisions`, { identifies: true, confidential: true, personTold: 'will_tell', ...body }), 201);
  const decideRefused = async (who: Who, subjectId: string, body: Body) =>
    refused(call(who, 'post', `/api/v1/people/${subjectId}/sharing-decisions`, { identifies: true, confidential: true, personTold: 'will_tell', ...body }));
  const settle = async (who: Who, subjectId: string, decisionId: string, decision: 'approve' | 'decline', note?: string) =>
    ok(call(who, 'post', `/api/v1/people/${subjectId}/sharing-decisions/${decisionId}/approval`, { decision, ...(note ? { note } : {}) }));
  const recorded = async (who: Who, subjectId: string, decisionId: string) => ok(call(who, 'get', `/api/v1/people/${subjectId}/sharing-decisions/${decisionId}`));

  // ---------- what someone can see afterwards ----------

  const inbox = async (who: Who, subjectId: string): Promise<DisclosureView[]> =>
    ((await ok(call(who, 'get', '/api/v1/inbox'))).disclosures as DisclosureView[]).filter((d) => d.subjectId === subjectId);
  const open = async (who: Who, subjectId: string, disclosureId: string): Promise<DisclosureView> => ok(call(who, 'get', `/api/v1/people/${subjectId}/disclosures/${disclosureId}`));
  /** The titles of the agencies' notes the caller may see (what the record API shows them). */
  const notesSeen = async (who: Who, subjectId: string): Promise<string[]> =>
    ((await ok(call(who, 'get', `/api/v1/people/${subjectId}/notes`))).notes as Item[]).map((n) => n.label.replace(/^[A-Z][a-z]+: /, '')).sort();
  const noteTitles = (items: Item[]) => items.filter((i) => i.type === 'note').map((n) => n.label.replace(/^[A-Z][a-z]+: /, '')).sort();
  const shownTypes = (d: DisclosureView) => d.shown.map((s) => s.type).sort();
  /** The person record as the caller sees it with no reason given: only what a basis opens. */
  const personSeen = async (who: Who, subjectId: string) => ok(call(who, 'get', `/api/v1/people/${subjectId}`));
  const history = async (subjectId: string) => ok(call('ig', 'get', `/api/v1/people/${subjectId}/sharing-history`));
  const audited = async (subjectId: string) => {
    await t.services.audit.flush();
    return t.services.audit.search({ subjectId, limit: 1000 });
  };
  const actionsOn = async (subjectId: string) => (await audited(subjectId)).map((e) => e.action);
  const report = async (who: Who, query: string) => ((await ok(call(who, 'get', `/api/v1/sharing-decisions?${query}`))).decisions as Array<{ id: string }>).map((d) => d.id);

  beforeAll(async () => {
    t = await createTestApp();
    const { repositories, admin, auth } = t.services;
    const adminUser = (await repositories.users.findByEmail('admin@csc.northbridge.example'))!;
    const sysadmin = (await auth.principal(adminUser.id, 'password')) as Principal;
    for (const [key, name] of Object.entries(DEMO_ORG_NAMES)) orgs[key as OrgKey] = (await repositories.organisations.findByName(name))!.id;
    for (const o of NEW_ORGS) {
      const { teams: teamNames, key, ...input } = o;
      orgs[key] = (await admin.createOrganisation(sysadmin, input, CTX)).id;
      for (const name of teamNames) await admin.createTeam(sysadmin, orgs[key], { name }, CTX);
    }
    for (const team of NEW_TEAMS) await admin.createTeam(sysadmin, orgs[team.org], { name: team.name }, CTX);
    for (const team of await repositories.organisations.teams()) teams.set(`${team.organisationId}:${team.name}`, team.id);
    const teamId = (org: OrgKey, name: string) => {
      const id = teams.get(`${orgs[org]}:${name}`);
      if (!id) throw new Error(`No team ${name}`);
      return id;
    };
    for (const s of Object.values(NEW_STAFF)) {
      const { user } = await admin.invite(
        sysadmin,
        { email: s.email, displayName: s.name, organisationId: orgs[s.org], jobTitle: 'Case study practitioner', roles: s.roles, teamIds: s.teams.map((n) => teamId(s.org, n)) },
        CTX,
      );
      // Staff set-up, not case data: the account is activated directly rather than through the invitation page.
      await repositories.users.setStatus(user.id, 'active', new Date());
    }
    const now = new Date();
    for (const [key, name] of [['amh', 'Adult Mental Health Service'], ['camhs', 'Children and Young People\'s Mental Health Service']] as const) {
      serviceIds[key] = newId();
      await repositories.people.insertService({ id: serviceIds[key], organisationId: orgs.nhs, name, category: 'health', sensitiveKind: 'mental_health', email: null, phone: null }, now);
    }
    serviceIds.da = (await repositories.people.services(orgs.vcs)).find((s) => s.name === 'Domestic Abuse Outreach')!.id;
    const emails = { ...DEMO, ...Object.fromEntries(Object.entries(NEW_STAFF).map(([k, v]) => [k, v.email])) } as Record<Who, string>;
    for (const [who, email] of Object.entries(emails) as Array<[Who, string]>) {
      const created = await auth.createApiToken(email, { by: CLI });
      staff[who] = { token: created.token, userId: created.user.id, organisationId: created.user.organisationId, name: created.user.displayName };
    }
  }, 180_000);
  afterAll(async () => t?.close());

  const team = (org: OrgKey, name: string) => teams.get(`${orgs[org]}:${name}`)!;

  // ------------------------------------------------------------------------------------------

  describe('Case 1: sharing information to reduce the risk of further offending', () => {
    let boy: string;
    let arrest: string;
    let decisionId: string;
    let disclosureId: string;
    const share = () => ({
      purpose: 'crime_prevention',
      purposeDetail: 'Coordinated work with the youth justice service to reduce his risk of reoffending',
      recipientOrganisationId: orgs.yjs,
      consentPosition: 'not_sought',
      notSeekingReason: 'impracticable',
      notSeekingDetail: 'He has already offended and has a history of running away: seeking his consent is not reasonable',
      riskChild: true,
      publicInterest: true,
      riskDetail: 'Criminally at risk through older associates; drove through red lights where pedestrians were crossing',
      items: [{ type: 'note', id: arrest }],
      minimumNecessary: 'The arrest and the offence only; intelligence about the other occupants stays with the police',
      outcome: 'share',
      reasons: 'Sharing gives the partners the chance to intervene and rehabilitate; not sharing diminishes it',
      personTold: 'will_tell',
      oneOffJustification: 'No information sharing agreement with the youth justice service yet; this referral cannot wait for one',
    });

    it('the police record the boy, their involvement and what they hold', async () => {
      boy = await person('police', { given: 'Tyrese', family: 'Harland', sex: 'male', dob: bornYearsAgo(14), address: { line1: '5 Quarry Close', postcode: 'NB7 3HG' } });
      await involve('police', boy, 'police_officer');
      arrest = await note('police', boy, 'police', 'note', 'Arrest: stolen vehicle driven into a shop window', 'Arrested after driving a stolen car into a shop; cigarettes and alcohol then stolen. Drove through red lights to avoid arrest.');
      await note('police', boy, 'police', 'note', 'Intelligence: occupants of the vehicle', 'Two older males known for supplying drugs were in the vehicle (names held on the police system).');
    });

    it('refuses a share of criminal offence data without a schedule 1 condition', async () => {
      const errors = await decideRefused('police', boy, { ...share(), legalBases: ['gdpr_6_1_e', 'cda1998_s115'] });
      expect(errors['body.legalBases']).toMatch(/criminal offence data/);
    });

    it('records the share without consent under s115 with the criminal offence data condition, held for a manager', async () => {
      const r = await decide('police', boy, { ...share(), legalBases: ['gdpr_6_1_e', 'cda1998_s115', 'dpa_sch1_p10_offence'] });
      expect(r).toMatchObject({ status: 'awaiting_approval', approvalRequired: true, disclosureId: null });
      decisionId = r.id;
      expect(await inbox('yjs', boy)).toEqual([]);
      // The officer is not a manager; a manager of another organisation cannot approve either.
      expect((await call('police', 'post', `/api/v1/people/${boy}/sharing-decisions/${decisionId}/approval`, { decision: 'approve' })).status).toBe(403);
      expect((await call('cscManager', 'post', `/api/v1/people/${boy}/sharing-decisions/${decisionId}/approval`, { decision: 'approve' })).status).toBe(403);
      const settled = await settle('sergeant', boy, decisionId, 'approve', 'Agreed: the risk to him and the public outweighs his confidence');
      expect(settled.status).toBe('shared');
      disclosureId = settled.disclosureId;
      const d = await recorded('police', boy, decisionId);
      expect(d).toMatchObject({ outcome: 'share', purpose: 'crime_prevention', withConsent: false, override: false, consentPosition: 'not_sought', approvalStatus: 'approved', approvedByName: 'DS Nadia Ferris', agreementStatus: 'no_agreement' });
      expect(d.legalBases).toEqual(expect.arrayContaining(['cda1998_s115', 'dpa_sch1_p10_offence']));
      expect(d.categories.sort()).toEqual(['identity', 'police']);
    });

    it('the youth justice service sees exactly the arrest; the intelligence and the rest of the record stay hidden', async () => {
      const [d] = await inbox('yjs', boy);
      expect(d!.id).toBe(disclosureId);
      expect(d!.subjectName).toBe('Tyrese Harland');
      const opened = await open('yjs', boy, disclosureId);
      expect(shownTypes(opened)).toEqual(['identity', 'note']);
      expect(noteTitles(opened.shown)).toEqual(['Arrest: stolen vehicle driven into a shop window']);
      expect(await notesSeen('yjs', boy)).toEqual(['Arrest: stolen vehicle driven into a shop window']);
      const seen = await personSeen('yjs', boy);
      expect(seen.allowed).toEqual(['identity']);
      expect(seen.addresses).toBeNull();
      expect(seen.relationships).toBeNull();
      await ok(call('yjs', 'post', `/api/v1/people/${boy}/disclosures/${disclosureId}/acknowledge`));
    });

    it('is audited and in the sharing history', async () => {
      const actions = await actionsOn(boy);
      expect(actions).toEqual(expect.arrayContaining(['sharing.decision.share', 'sharing.approval.approve', 'disclosure.send', 'disclosure.open', 'disclosure.acknowledge']));
      const entry = (await audited(boy)).find((e) => e.action === 'sharing.decision.share')!;
      expect(entry.details).toMatchObject({ withConsent: false, legalBases: ['gdpr_6_1_e', 'cda1998_s115', 'dpa_sch1_p10_offence'] });
      const h = await history(boy);
      expect(h.decisions.map((x: { id: string }) => x.id)).toEqual([decisionId]);
      expect(h.disclosures[0]).toMatchObject({ id: disclosureId, recipientOrganisationId: orgs.yjs, acknowledgedBy: staff.yjs.userId });
    });
  });

  // ------------------------------------------------------------------------------------------

  describe('Case 2: sharing information to secure accommodation and respond to threats of domestic violence', () => {
    let mother: string;
    const children: string[] = [];
    let partner: string;
    let crisis: string;
    let decisionId: string;
    let disclosureId: string;

    it('the money advice service records the family, the partner, its notes and her earlier signed consent form', async () => {
      mother = await person('moneyAdviser', { given: 'Kirsty', family: 'Alder', sex: 'female', dob: bornYearsAgo(26), address: { line1: 'Rose Cottage, Fen Lane', postcode: 'NB14 2PL' } });
      for (const [given, age] of [['Ellie', 6], ['Noah', 4], ['Isla', 1]] as const) {
        const child = await person('moneyAdviser', { given, family: 'Alder', sex: given === 'Noah' ? 'male' : 'female', dob: bornYearsAgo(age) });
        await relate('moneyAdviser', mother, 'parent', child);
        children.push(child);
      }
      partner = await person('moneyAdviser', { given: 'Jordan', family: 'Tillotson', sex: 'male', dob: bornYearsAgo(31) });
      await relate('moneyAdviser', mother, 'partner', partner);
      await involve('moneyAdviser', mother, 'key_worker');
      crisis = await note('moneyAdviser', mother, 'voluntary', 'risk', 'Fled home after threats of violence', 'Partner threatened violence over unpaid rent; eviction notice served; she walked to town with the three children and cannot go back.');
      await note('moneyAdviser', mother, 'voluntary', 'note', 'Money advice history', 'Long-term client; erratic attendance; usually asks for food vouchers.');
      await consent('moneyAdviser', mother, {
        decision: 'given',
        givenBy: 'person',
        capacityAssessment: 'presumed',
        capacityOutcome: 'capable',
        purposes: ['service_referral'],
        recipientOrganisationTypes: ['voluntary_sector'],
        categories: ['identity', 'voluntary'],
        method: 'written',
        evidence: { filename: 'consent-form.pdf', contentType: 'application/pdf', contentBase64: PDF },
        validFrom: day(-400),
      });
    });

    it('her consent on record is for another purpose and does not cover a housing referral: the system says so', async () => {
      const ctx = await ok(call('moneyAdviser', 'get', `/api/v1/people/${mother}/sharing-context?purpose=housing_support&recipientOrganisationId=${orgs.housing}&categories=identity,voluntary`));
      expect(ctx.coverage.position).toBe('none');
      expect(ctx.coverage.messages.join(' ')).toMatch(/referral to a service, not housing and accommodation: consent given for one purpose does not cover another/);
    });

    it('an emergency share goes at once without consent; approval is requested and chased until the line manager gives it', async () => {
      const items = await shareable('moneyAdviser', mother);
      const r = await decide('moneyAdviser', mother, {
        purpose: 'housing_support',
        purposeDetail: 'Emergency accommodation tonight for a mother and three children fleeing threats of violence',
        recipientOrganisationId: orgs.housing,
        consentPosition: 'not_sought',
        notSeekingReason: 'cannot_consent',
        notSeekingDetail: 'She is too distressed to understand what a referral means; her informed consent cannot be had now',
        riskChild: true,
        riskAdult: true,
        riskDetail: 'Without safe shelter tonight she and the three children are at risk of serious harm from her partner',
        legalBases: ['gdpr_6_1_d', 'common_law_public_interest'],
        items: [
          itemId(items, 'address', 'Rose Cottage'),
          ...['Ellie', 'Noah', 'Isla'].map((n) => itemId(items, 'relationship', n)),
          { type: 'note', id: crisis },
        ],
        minimumNecessary: 'Who the family are, the tenancy address and why they cannot go home; not her money advice history',
        outcome: 'share',
        reasons: 'Safe accommodation is the first priority for the mother and children; other issues can wait',
        emergency: true,
        personTold: 'will_tell',
        oneOffJustification: 'There is no active agreement with the housing provider; an emergency referral cannot wait for one',
      });
      expect(r).toMatchObject({ status: 'shared', approvalRequired: true });
      expect(r.disclosureId).toBeTruthy();
      decisionId = r.id;
      disclosureId = r.disclosureId;
      // Shared at once: housing has it before anyone approved.
      expect((await inbox('housing', mother)).map((d) => d.id)).toEqual([disclosureId]);
      expect(await report('vcsManager', 'approvalStatus=pending&emergency=yes')).toContain(decisionId);
      // Chased: an emergency approval is chased hourly.
      const chase = await t.services.sharing.chaseApprovals(new Date(Date.now() + 61 * 60_000));
      expect(chase.chased).toBeGreaterThanOrEqual(1);
      expect(await actionsOn(mother)).toContain('sharing.approval.chase');
      // Not the decider (who is not a manager either).
      expect((await call('moneyAdviser', 'post', `/api/v1/people/${mother}/sharing-decisions/${decisionId}/approval`, { decision: 'approve' })).status).toBe(403);
      const settled = await settle('vcsManager', mother, decisionId, 'approve', 'Agreed: impossible to get informed consent; family at risk of serious harm');
      expect(settled).toEqual({ status: 'shared', disclosureId });
      const d = await recorded('moneyAdviser', mother, decisionId);
      expect(d).toMatchObject({ emergency: true, withConsent: false, approvalStatus: 'approved', approvedByName: 'Owen Castell', status: 'shared', chaseCount: 1 });
      expect(d.legalBases).toEqual(['gdpr_6_1_d', 'common_law_public_interest']);
    });

    it('housing sees the family situation it needs; the money advice history and the partner stay hidden', async () => {
      const opened = await open('housing', mother, disclosureId);
      expect(shownTypes(opened)).toEqual(['address', 'identity', 'note', 'relationship', 'relationship', 'relationship']);
      expect(noteTitles(opened.shown)).toEqual(['Fled home after threats of violence']);
      expect(await notesSeen('housing', mother)).toEqual(['Fled home after threats of violence']);
      const seen = await personSeen('housing', mother);
      expect(seen.allowed.sort()).toEqual(['family', 'identity', 'whereabouts']);
      // Exactly the relationships sent: the three children, not the partner.
      expect(seen.relationships.map((r: { relatedSubjectId: string }) => r.relatedSubjectId).sort()).toEqual([...children].sort());
      expect(seen.addresses.map((a: { line1: string }) => a.line1)).toEqual(['Rose Cottage, Fen Lane']);
      // Who she is, as sent: her current name and date of birth, not every identifier and former name.
      expect(Object.keys(seen.identity).sort()).toEqual(['dateOfBirth', 'dobPrecision', 'names', 'subjectId']);
      // Nothing about the partner's own record reaches housing.
      expect((await call('housing', 'get', `/api/v1/people/${partner}`)).status).toBe(403);
    });

    it('the emergency and its approval are in the audit log and the sharing history', async () => {
      expect(await actionsOn(mother)).toEqual(expect.arrayContaining(['consent.given', 'sharing.decision.share', 'disclosure.send', 'sharing.approval.approve', 'disclosure.open']));
      const h = await history(mother);
      expect(h.decisions[0]).toMatchObject({ id: decisionId, emergency: true, approvedByName: 'Owen Castell' });
      expect(h.consents[0]).toMatchObject({ method: 'written', evidence: { contentType: 'application/pdf' } });
    });
  });

  // ------------------------------------------------------------------------------------------

  describe('Case 3: information sharing is not justified and is refused to protect privacy', () => {
    let mother: string;
    let decisionId: string;

    it('the counselling service records the mother, her daughter and its involvement', async () => {
      mother = await person('counsellor', { given: 'Dawn', family: 'Kettering', sex: 'female', dob: bornYearsAgo(35), address: { line1: '12 Larch Walk', postcode: 'NB6 4RT' } });
      const daughter = await person('counsellor', { given: 'Lily', family: 'Kettering', sex: 'female', dob: bornYearsAgo(9) });
      await relate('counsellor', mother, 'parent', daughter);
      await involve('counsellor', mother, 'therapist', { serviceId: serviceIds.da });
      await note('counsellor', mother, 'voluntary', 'note', 'Counselling after domestic abuse', 'Weekly sessions; home security upgraded; returned to study and doing well.');
    });

    it('the guided decision will not share confidential information with no consent and no risk, nor with someone outside the partnership', async () => {
      const errors = await decideRefused('counsellor', mother, {
        purpose: 'education',
        purposeDetail: 'Her tutor asked why and how she sees our service',
        recipientDescription: 'Her private academic tutor',
        consentPosition: 'not_sought',
        notSeekingReason: 'impracticable',
        notSeekingDetail: 'The tutor asked us directly rather than through her',
        legalBases: ['gdpr_6_1_e'],
        minimumNecessary: 'The nature of our contact with her',
        outcome: 'share',
        reasons: 'The tutor thinks they could help her more',
      });
      expect(errors['body.risk']).toMatch(/If there is none, the decision is not to share/);
      expect(errors['body.recipient']).toMatch(/Choose who the information goes to/);
      expect(errors['body.items']).toBeDefined();
    });

    it('records the decision not to share, with its reasons, and nothing goes anywhere', async () => {
      const r = await decide('counsellor', mother, {
        purpose: 'education',
        purposeDetail: 'Her tutor asked why and how she sees our service',
        requestFrom: 'Her private academic tutor (outside the partnership)',
        consentPosition: 'not_sought',
        outcome: 'not_share',
        reasons: 'No risk of harm to her or her daughter if this is withheld; it is her decision and her informed consent should be sought: the tutor is advised to ask her',
        personTold: 'will_tell',
      });
      expect(r).toMatchObject({ status: 'recorded', approvalRequired: false, disclosureId: null, flags: [] });
      decisionId = r.id;
      const d = await recorded('counsellor', mother, decisionId);
      expect(d).toMatchObject({ outcome: 'not_share', withConsent: false, override: false, approvalStatus: null, requestFrom: 'Her private academic tutor (outside the partnership)' });
      expect(d.reasons).toMatch(/her informed consent should be sought/);
      expect(d.legalBases).toEqual([]);
      expect(d.items).toEqual([]);
    });

    it('the decision not to share is reportable, audited and in the sharing history, with no disclosure', async () => {
      expect(await report('vcsManager', 'outcome=not_share')).toContain(decisionId);
      expect(await actionsOn(mother)).toContain('sharing.decision.not-share');
      expect((await actionsOn(mother)).filter((a) => a === 'disclosure.send')).toEqual([]);
      const h = await history(mother);
      expect(h.decisions.map((x: { outcome: string }) => x.outcome)).toEqual(['not_share']);
      expect(h.disclosures).toEqual([]);
    });
  });

  // ------------------------------------------------------------------------------------------

  describe('Case 4: a request for information sharing is refused to protect privacy', () => {
    let client: string;
    let decisionId: string;

    it('the disability service and the GP practice each record their own involvement and notes', async () => {
      client = await person('disabilityWorker', { given: 'Aaron', family: 'Mellor', sex: 'male', dob: bornYearsAgo(27), address: { line1: '3 Weaver Court', postcode: 'NB4 7AA' } });
      await involve('disabilityWorker', client, 'key_worker');
      await note('disabilityWorker', client, 'social_care', 'note', 'Care plan: outreach support', 'Weekly outreach support for daily living; minor intellectual disability.');
      await involve('gp', client, 'gp');
      await note('gp', client, 'health', 'note', 'Contraception consultation', 'Attended with his partner to discuss contraception.');
    });

    it('he refuses consent, assessed as able to decide, and a share over his refusal with no risk is refused', async () => {
      await refused(call('disabilityWorker', 'post', `/api/v1/people/${client}/consents`, {
        decision: 'refused', givenBy: 'person', capacityAssessment: 'mental_capacity', capacityOutcome: 'capable', capacityReasoning: 'short',
        purposes: ['care_and_support'], recipientOrganisationIds: [orgs.gp], categories: ['identity', 'health'], method: 'verbal',
      }));
      await consent('disabilityWorker', client, {
        decision: 'refused',
        givenBy: 'person',
        capacityAssessment: 'mental_capacity',
        capacityOutcome: 'capable',
        capacityReasoning: 'Understood what we would ask the clinic and why, retained and weighed it, and told us clearly it is a private matter',
        purposes: ['care_and_support'],
        recipientOrganisationIds: [orgs.gp],
        categories: ['identity', 'social_care', 'health'],
      });
      const coverage = await ok(call('disabilityWorker', 'get', `/api/v1/people/${client}/consent-coverage?purpose=care_and_support&recipientOrganisationId=${orgs.gp}&categories=identity,social_care`));
      expect(coverage.position).toBe('refused');
      const items = await shareable('disabilityWorker', client);
      const errors = await decideRefused('disabilityWorker', client, {
        purpose: 'care_and_support',
        purposeDetail: 'Ask the clinic whether a health issue affects his care plan',
        recipientOrganisationId: orgs.gp,
        consentPosition: 'refused',
        legalBases: ['gdpr_6_1_e'],
        items: [itemId(items, 'note', 'Care plan')],
        minimumNecessary: 'That we support him and want to know about health issues',
        outcome: 'share',
        reasons: 'The coordinator wants to know why he was at the clinic',
      });
      expect(errors['body.risk']).toMatch(/needs a risk of significant harm to a child, serious harm to an adult/);
    });

    it('the refusal to share is recorded with its reasons', async () => {
      const r = await decide('disabilityWorker', client, {
        purpose: 'care_and_support',
        purposeDetail: 'The service coordinator asked us to find out from the clinic why he attended',
        requestFrom: 'Our own disability service coordinator',
        recipientOrganisationId: orgs.gp,
        consentPosition: 'refused',
        outcome: 'not_share',
        reasons: 'No evidence he is at increased risk of harm; he refused consent and his visit is a private matter: sharing without consent is not justified',
        personTold: 'told',
      });
      expect(r).toMatchObject({ status: 'recorded', approvalRequired: false, disclosureId: null });
      decisionId = r.id;
      expect(await recorded('disabilityManager', client, decisionId)).toMatchObject({ outcome: 'not_share', consentPosition: 'refused', recipientOrganisationName: 'Riverside Medical Practice' });
    });

    it('nothing reaches the other agency at all, in either direction', async () => {
      expect(await inbox('gp', client)).toEqual([]);
      expect(await notesSeen('gp', client)).toEqual(['Contraception consultation']);
      expect(await notesSeen('disabilityWorker', client)).toEqual(['Care plan: outreach support']);
      const h = await history(client);
      expect(h.disclosures).toEqual([]);
      expect(h.decisions.map((d: { outcome: string }) => d.outcome)).toEqual(['not_share']);
      expect(h.consents[0]).toMatchObject({ decision: 'refused', capacityAssessment: 'mental_capacity', capacityOutcome: 'capable' });
      expect(await report('disabilityManager', 'outcome=not_share')).toContain(decisionId);
      expect(await actionsOn(client)).toEqual(expect.arrayContaining(['consent.refused', 'sharing.decision.not-share']));
    });
  });

  // ------------------------------------------------------------------------------------------

  describe('Case 5: failure to share information contributes to the harm of a child', () => {
    let child: string;
    let mother: string;
    let concerns: string;
    let wrongId: string;
    let rightId: string;
    let disclosureId: string;

    it('the respite service records the child, his mother, its concerns and the mother\'s refusal of help', async () => {
      child = await person('respite', { given: 'Kai', family: 'Ashworth', sex: 'male', dob: bornYearsAgo(10), address: { line1: '19 Tanner Street', postcode: 'NB8 1LS' } });
      mother = await person('respite', { given: 'Lorna', family: 'Ashworth', sex: 'female', dob: bornYearsAgo(41), address: { line1: '19 Tanner Street', postcode: 'NB8 1LS' } });
      await relate('respite', mother, 'parent', child);
      await involve('respite', child, 'key_worker');
      concerns = await note('respite', child, 'voluntary', 'risk', 'Signs of neglect', 'Since his father died: very tired, losing weight, misses dinner, sporadic attendance, late pick-ups. Mother unwashed, lethargic, open sores; refuses help.');
      await note('respite', child, 'voluntary', 'note', 'Respite care plan', 'Likes trains and quiet activities; medication at lunchtime.');
      await consent('respite', child, {
        decision: 'refused',
        givenBy: 'parental_responsibility',
        givenByName: 'Lorna Ashworth',
        givenBySubjectId: mother,
        capacityAssessment: 'presumed',
        capacityOutcome: 'capable',
        purposes: ['early_help', 'service_referral'],
        anyRecipient: true,
        categories: ['identity', 'family', 'voluntary'],
        notes: 'Told staff to go away and mind their own business when offered help with counselling and support at home',
      });
    });

    it('the worker\'s wrong answer, "not share: it is the mother\'s decision", with a risk to the child recorded, is not final: it is flagged and held for a manager, who overturns it', async () => {
      const r = await decide('respite', child, {
        purpose: 'safeguarding_child',
        purposeDetail: 'Whether to tell anyone about the signs of neglect',
        recipientDescription: 'Children\'s social care (duty)',
        consentPosition: 'refused',
        riskChild: true,
        riskDetail: 'Tired, losing weight, missing meals; mother appears unwell and unable to care for him',
        outcome: 'not_share',
        reasons: 'It is the mother\'s personal decision and I will respect her privacy',
      });
      wrongId = r.id;
      expect(r).toMatchObject({ status: 'awaiting_approval', approvalRequired: true, disclosureId: null });
      expect(r.flags.join(' ')).toMatch(/risk of significant harm to a child/);
      expect(await report('vcsManager', 'approvalStatus=pending&outcome=not_share')).toContain(wrongId);
      expect((await call('respite', 'post', `/api/v1/people/${child}/sharing-decisions/${wrongId}/approval`, { decision: 'approve' })).status).toBe(403);
      const declined = await settle('vcsManager', child, wrongId, 'decline', 'He is at risk of significant harm through neglect: his mother\'s wishes do not decide this. Refer to children\'s social care today.');
      expect(declined).toEqual({ status: 'declined', disclosureId: null });
      expect(await recorded('respite', child, wrongId)).toMatchObject({ outcome: 'not_share', approvalStatus: 'declined', approvedByName: 'Owen Castell', status: 'declined' });
      const flagged = (await audited(child)).find((e) => e.action === 'sharing.decision.not-share')!;
      expect((flagged.details as { flags: string[] }).flags.join(' ')).toMatch(/risk of significant harm to a child/);
    });

    it('what the system should have produced: a share without consent about neglect to the duty team, approved by the manager', async () => {
      const items = await shareable('respite', child);
      const r = await decide('respite', child, {
        purpose: 'safeguarding_child',
        purposeDetail: 'Refer signs of neglect to children\'s social care duty team',
        recipientTeamId: team('csc', 'Multi-Agency Safeguarding Hub'),
        consentPosition: 'not_sought',
        notSeekingReason: 'unsafe',
        notSeekingDetail: 'She refused help outright; asking again would delay help for a child left without food',
        riskChild: true,
        riskDetail: 'Signs of neglect: weight loss, missing meals, exhaustion; mother appears depressed and unable to care for him',
        legalBases: ['gdpr_6_1_e', 'ca1989_s47', 'common_law_public_interest'],
        items: [{ type: 'note', id: concerns }, itemId(items, 'relationship', 'Lorna')],
        minimumNecessary: 'The signs of neglect and who his mother is; not his care plan',
        outcome: 'share',
        reasons: 'There is sufficient reason to share without the mother\'s consent: a child is showing signs of neglect',
        personTold: 'will_tell',
      });
      expect(r).toMatchObject({ status: 'awaiting_approval', approvalRequired: true });
      rightId = r.id;
      expect(await inbox('mash', child)).toEqual([]);
      const settled = await settle('vcsManager', child, rightId, 'approve', 'Agreed: refer today');
      expect(settled.status).toBe('shared');
      disclosureId = settled.disclosureId;
      const right = await recorded('respite', child, rightId);
      expect(right).toMatchObject({ outcome: 'share', withConsent: false, override: false, approvalStatus: 'approved', approvedByName: 'Owen Castell', recipientTeamName: 'Multi-Agency Safeguarding Hub' });
      expect(right.legalBases).toEqual(['gdpr_6_1_e', 'ca1989_s47', 'common_law_public_interest']);
    });

    it('the duty team sees the concerns and the mother, not the care plan; colleagues outside the team see nothing', async () => {
      const [d] = await inbox('mash', child);
      expect(d!.id).toBe(disclosureId);
      const opened = await open('mash', child, disclosureId);
      expect(shownTypes(opened)).toEqual(['identity', 'note', 'relationship']);
      expect(await notesSeen('mash', child)).toEqual(['Signs of neglect']);
      expect(await inbox('socialWorker', child)).toEqual([]);
      const h = await history(child);
      expect(h.decisions.map((x: { id: string; status: string }) => [x.id, x.status]).sort()).toEqual([[rightId, 'shared'], [wrongId, 'declined']].sort());
      expect(await actionsOn(child)).toEqual(expect.arrayContaining(['consent.refused', 'sharing.decision.not-share', 'sharing.approval.decline', 'sharing.decision.share', 'sharing.approval.approve', 'disclosure.send']));
    });
  });

  // ------------------------------------------------------------------------------------------

  describe('Case 6: sharing information to respond to family violence and a risk of homelessness', () => {
    let woman: string;
    let unborn: string;
    let partner: string;
    let womanNote: string;
    let riskNote: string;
    const ids: Record<'womanCsc' | 'womanHealth' | 'partnerCsc' | 'partnerHousing', string> = { womanCsc: '', womanHealth: '', partnerCsc: '', partnerHousing: '' };
    const disclosures: Record<string, string> = {};

    it('the homelessness service records the couple, the unborn child, its notes and what each consented to', async () => {
      woman = await person('intakeWorker', { given: 'Megan', family: 'Hollis', sex: 'female', dob: bornYearsAgo(22) });
      unborn = await person('intakeWorker', { given: 'Unborn', family: 'Hollis', sex: 'unknown', dob: day(60), expected: true });
      partner = await person('intakeWorker', { given: 'Ryan', family: 'Castlemaine', sex: 'male', dob: bornYearsAgo(26) });
      await relate('intakeWorker', woman, 'partner', partner);
      await relate('intakeWorker', woman, 'expecting', unborn);
      await involve('intakeWorker', woman, 'key_worker');
      await involve('intakeWorker', partner, 'key_worker');
      womanNote = await note('intakeWorker', woman, 'voluntary', 'risk', 'Pregnancy health concerns', 'Seven months pregnant; pregnancy-related health issues; says her partner stops her seeing a doctor.');
      riskNote = await note('intakeWorker', partner, 'voluntary', 'risk', 'Aggression and recent assault conviction', 'Recent conviction for assaulting her previous partner; threatened the caravan park owner; controlling and jealous.');
      await note('intakeWorker', partner, 'voluntary', 'note', 'Income and benefits', 'Benefit claim details taken at intake.');
      // He signs only for housing and refuses the rest; she, alone, consents.
      await consent('intakeWorker', partner, {
        decision: 'given', givenBy: 'person', capacityAssessment: 'presumed', capacityOutcome: 'capable',
        purposes: ['housing_support'], recipientOrganisationTypes: ['housing'], categories: ['identity', 'voluntary'], method: 'written',
      });
      await consent('intakeWorker', partner, {
        decision: 'refused', givenBy: 'person', capacityAssessment: 'presumed', capacityOutcome: 'capable',
        purposes: ['safeguarding_child', 'care_and_support', 'service_referral'], recipientOrganisationTypes: ['childrens_social_care', 'nhs_trust', 'voluntary_sector'], categories: ['identity', 'voluntary'],
      });
      await consent('intakeWorker', woman, {
        decision: 'given', givenBy: 'person', capacityAssessment: 'presumed', capacityOutcome: 'capable',
        purposes: ['safeguarding_child', 'housing_support', 'care_and_support'], recipientOrganisationTypes: ['childrens_social_care', 'housing', 'nhs_trust'],
        categories: ['identity', 'family', 'voluntary'], notes: 'Given in private while her partner was at the counter',
      });
    });

    it('she consented: her situation goes at once to children\'s social care and to the health service', async () => {
      const items = await shareable('intakeWorker', woman);
      const base = {
        consentPosition: 'given',
        legalBases: ['gdpr_6_1_a'],
        minimumNecessary: 'Her situation and the pregnancy concerns; not her partner\'s details',
        outcome: 'share',
        reasons: 'She asked for help and consented to these services being told',
        personTold: 'told',
        oneOffJustification: 'No agreement between the homelessness service and the statutory partners yet',
      };
      const csc = await decide('intakeWorker', woman, {
        ...base, purpose: 'safeguarding_child', purposeDetail: 'Protect her and her unborn child', recipientOrganisationId: orgs.csc,
        items: [{ type: 'note', id: womanNote }, itemId(items, 'relationship', 'Unborn')],
      });
      const health = await decide('intakeWorker', woman, {
        ...base, purpose: 'care_and_support', purposeDetail: 'A medical assessment of the pregnancy', recipientOrganisationId: orgs.nhs,
        items: [{ type: 'note', id: womanNote }],
      });
      for (const r of [csc, health]) expect(r).toMatchObject({ status: 'shared', approvalRequired: false });
      ids.womanCsc = csc.id;
      ids.womanHealth = health.id;
      disclosures.womanCsc = csc.disclosureId;
      disclosures.womanHealth = health.disclosureId;
      expect(await recorded('intakeWorker', woman, csc.id)).toMatchObject({ withConsent: true, approvalRequired: false, approvalStatus: null });
    });

    it('his consent for housing does not cover staff safety; his refusal is overridden for the unborn child, both with the line manager\'s approval', async () => {
      const refusedConsent = await decideRefused('intakeWorker', partner, {
        purpose: 'staff_safety', purposeDetail: 'Protect housing officers from aggression', recipientOrganisationId: orgs.housing,
        consentPosition: 'given', legalBases: ['gdpr_6_1_a'], items: [{ type: 'note', id: riskNote }],
        minimumNecessary: 'His risk of aggression only', outcome: 'share', reasons: 'Housing officers may be at risk',
        oneOffJustification: 'No agreement with the housing provider yet for this purpose',
      });
      expect(refusedConsent['body.consentPosition']).toMatch(/housing and accommodation, not keeping staff and others safe: consent given for one purpose does not cover another/);
      const housing = await decide('intakeWorker', partner, {
        purpose: 'staff_safety', purposeDetail: 'Protect housing officers from aggression', recipientOrganisationId: orgs.housing,
        consentPosition: 'not_sought', notSeekingReason: 'unsafe', notSeekingDetail: 'Raising it with him would put staff and his partner at risk of his aggression',
        publicInterest: true, riskDetail: 'Recent assault conviction and threats: housing officers could be placed at risk',
        legalBases: ['gdpr_6_1_e', 'common_law_public_interest'], items: [{ type: 'note', id: riskNote }],
        minimumNecessary: 'His risk of aggression only; not his income details', outcome: 'share', reasons: 'Housing officers need to plan visits safely',
        personTold: 'not_told', notToldReason: 'Telling him could increase the risk to his partner',
        oneOffJustification: 'No agreement with the housing provider yet for this purpose',
      });
      const csc = await decide('intakeWorker', partner, {
        purpose: 'safeguarding_child', purposeDetail: 'Protect the unborn child and its mother', recipientOrganisationId: orgs.csc,
        consentPosition: 'refused', riskChild: true, riskAdult: true,
        riskDetail: 'Controlling, aggressive partner with a recent assault conviction prevents her getting medical care in late pregnancy',
        legalBases: ['gdpr_6_1_e', 'ca1989_s47', 'common_law_public_interest'], items: [{ type: 'note', id: riskNote }],
        minimumNecessary: 'His risk of aggression only; not his income details', outcome: 'share', reasons: 'The risk to the unborn child and its mother outweighs his refusal',
        personTold: 'not_told', notToldReason: 'Telling him could increase the risk to his partner',
        oneOffJustification: 'No agreement between the homelessness service and children\'s social care yet',
      });
      for (const r of [housing, csc]) expect(r).toMatchObject({ status: 'awaiting_approval', approvalRequired: true, disclosureId: null });
      ids.partnerHousing = housing.id;
      ids.partnerCsc = csc.id;
      expect(await report('homelessManager', 'override=yes')).toEqual([csc.id]);
      for (const id of [housing.id, csc.id]) {
        const s = await settle('homelessManager', partner, id, 'approve', 'Agreed in consultation: full disclosure to protect her, the baby and staff');
        expect(s.status).toBe('shared');
      }
      expect(await recorded('intakeWorker', partner, csc.id)).toMatchObject({ override: true, withConsent: false, consentPosition: 'refused', approvedByName: 'Pete Varley', legalBases: ['gdpr_6_1_e', 'ca1989_s47', 'common_law_public_interest'] });
      expect(await recorded('intakeWorker', partner, housing.id)).toMatchObject({ override: false, withConsent: false, purpose: 'staff_safety', approvedByName: 'Pete Varley' });
    });

    it('each agency sees only what was sent to it; his income details and her record stay away from housing; the health service sees nothing of him', async () => {
      const csc = await inbox('socialWorker', woman);
      expect(csc.map((d) => d.id)).toEqual([disclosures.womanCsc]);
      expect(await notesSeen('socialWorker', woman)).toEqual(['Pregnancy health concerns']);
      expect(await notesSeen('socialWorker', partner)).toEqual(['Aggression and recent assault conviction']);
      expect(await notesSeen('housing', partner)).toEqual(['Aggression and recent assault conviction']);
      expect(await inbox('housing', woman)).toEqual([]);
      expect((await call('housing', 'get', `/api/v1/people/${woman}/notes`)).status).toBe(403);
      expect(await notesSeen('healthVisitor', woman)).toEqual(['Pregnancy health concerns']);
      expect(await inbox('healthVisitor', partner)).toEqual([]);
      expect((await call('healthVisitor', 'get', `/api/v1/people/${partner}/notes`)).status).toBe(403);
      const seen = await personSeen('socialWorker', woman);
      expect(seen.relationships.map((r: { relatedSubjectId: string }) => r.relatedSubjectId)).toEqual([unborn]);
    });

    it('the history shows both consents, the refusal and the override; all of it is audited', async () => {
      expect(await actionsOn(partner)).toEqual(expect.arrayContaining(['consent.given', 'consent.refused', 'sharing.decision.share', 'sharing.approval.approve', 'disclosure.send', 'note.read']));
      const h = await history(partner);
      expect(h.consents.map((c: { decision: string }) => c.decision).sort()).toEqual(['given', 'refused']);
      expect(h.decisions.map((d: { id: string }) => d.id).sort()).toEqual([ids.partnerCsc, ids.partnerHousing].sort());
      expect(h.disclosures).toHaveLength(2);
      expect((await history(woman)).decisions.every((d: { withConsent: boolean }) => d.withConsent)).toBe(true);
    });
  });

  // ------------------------------------------------------------------------------------------

  describe('Case 7: information sharing ensures elderly clients receive the help they need to live independently', () => {
    let wife: string;
    let husband: string;
    let husbandNote: string;
    let wifeNote: string;
    const ids: string[] = [];

    it('the community transport service records the couple, its concerns and her refusal', async () => {
      wife = await person('transportManager', { given: 'Edna', family: 'Foulds', sex: 'female', dob: bornYearsAgo(78), address: { line1: '2 Chapel Row', postcode: 'NB11 5EF' } });
      husband = await person('transportManager', { given: 'Harold', family: 'Foulds', sex: 'male', dob: bornYearsAgo(81), address: { line1: '2 Chapel Row', postcode: 'NB11 5EF' } });
      await relate('transportManager', wife, 'partner', husband);
      await relate('transportManager', wife, 'carer', husband);
      await involve('transportManager', wife, 'key_worker');
      await involve('transportManager', husband, 'key_worker');
      husbandNote = await note('transportManager', husband, 'voluntary', 'risk', 'Tied to a chair while his wife shops', 'Driver saw him tied to a chair; once left for hours when the bus broke down and needed medical attention for dehydration.');
      wifeNote = await note('transportManager', wife, 'voluntary', 'risk', 'Carer struggling', 'Losing weight, shaky, close to tears; says she cannot manage otherwise.');
      await note('transportManager', wife, 'voluntary', 'note', 'Transport account', 'Weekly shopping bookings and fares.');
      await consent('transportManager', wife, {
        decision: 'refused', givenBy: 'person', capacityAssessment: 'presumed', capacityOutcome: 'capable',
        purposes: ['safeguarding_adult', 'care_and_support'], anyRecipient: true, categories: ['identity', 'family', 'voluntary'],
        notes: '"Don\'t say anything, they will put us in a nursing home"',
      });
    });

    it('her anonymous consultation with an assessor is not a share: the system will not send record items as "identifying nobody"', async () => {
      const errors = await decideRefused('transportManager', husband, {
        purpose: 'care_and_support',
        purposeDetail: 'Ask an aged care assessor for advice without naming the couple',
        recipientOrganisationId: orgs.asc,
        identifies: false,
        consentPosition: 'not_needed',
        items: [{ type: 'note', id: husbandNote }],
        minimumNecessary: 'The situation, without any names',
        outcome: 'share',
        reasons: 'Advice on what help there is',
        oneOffJustification: 'No agreement yet between the transport service and adult social care',
      });
      expect(errors['body.identifies']).toMatch(/always says who they are/);
      expect(await inbox('adultSocialWorker', husband)).toEqual([]);
    });

    it('the manager decides to refer both without consent; she cannot approve her own decision, her manager does', async () => {
      const base = {
        consentPosition: 'not_sought',
        notSeekingReason: 'cannot_consent',
        notSeekingDetail: 'He has dementia and cannot understand or weigh a decision about sharing',
        riskAdult: true,
        riskDetail: 'Tied to a chair for hours; already needed medical attention for dehydration',
        legalBases: ['gdpr_6_1_e', 'care2014_s42', 'common_law_public_interest'],
        outcome: 'share',
        reasons: 'He is very vulnerable and at risk of serious harm if this continues',
        personTold: 'will_tell',
        oneOffJustification: 'No agreement yet between the transport service and these agencies',
      };
      const husbandItems = await shareable('transportManager', husband);
      const toCouncil = await decide('transportManager', husband, {
        ...base, purpose: 'safeguarding_adult', purposeDetail: 'Referral to adult social care for support', recipientOrganisationId: orgs.asc,
        items: [{ type: 'note', id: husbandNote }, itemId(husbandItems, 'relationship', 'Edna')], minimumNecessary: 'What was seen and who cares for him',
      });
      const toHealth = await decide('transportManager', husband, {
        ...base, purpose: 'care_and_support', purposeDetail: 'Referral to the local health service for assessment', recipientOrganisationId: orgs.gp,
        items: [{ type: 'note', id: husbandNote }], minimumNecessary: 'What was seen and the dehydration episode',
      });
      const wifeToCouncil = await decide('transportManager', wife, {
        ...base, purpose: 'safeguarding_adult', purposeDetail: 'Carer support from adult social care', recipientOrganisationId: orgs.asc,
        consentPosition: 'refused', notSeekingReason: undefined, notSeekingDetail: undefined,
        riskDetail: 'She cannot cope as his carer; he is at risk of serious harm if nothing changes',
        items: [{ type: 'note', id: wifeNote }], minimumNecessary: 'That she is struggling as his carer; not her transport account',
        reasons: 'Going against her wishes: her husband is at risk of serious harm and she needs support to care for him',
      });
      for (const r of [toCouncil, toHealth, wifeToCouncil]) {
        expect(r).toMatchObject({ status: 'awaiting_approval', approvalRequired: true });
        ids.push(r.id);
        const own = await call('transportManager', 'post', `/api/v1/people/${r === wifeToCouncil ? wife : husband}/sharing-decisions/${r.id}/approval`, { decision: 'approve' });
        expect(own.status).toBe(403);
        expect(own.body.error.message).toMatch(/cannot approve your own decision/);
        expect((await settle('vcsManager', r === wifeToCouncil ? wife : husband, r.id, 'approve')).status).toBe('shared');
      }
      expect(await recorded('transportManager', wife, wifeToCouncil.id)).toMatchObject({
        override: true, consentPosition: 'refused', approvedByName: 'Owen Castell', decidedByName: 'Gwen Arkwright', legalBases: ['gdpr_6_1_e', 'care2014_s42', 'common_law_public_interest'],
      });
      expect(await report('vcsManager', 'override=yes')).toContain(wifeToCouncil.id);
    });

    it('adult social care sees both, the health service only him; her transport account stays hidden', async () => {
      expect(await notesSeen('adultSocialWorker', husband)).toEqual(['Tied to a chair while his wife shops']);
      expect(await notesSeen('adultSocialWorker', wife)).toEqual(['Carer struggling']);
      expect(await notesSeen('gp', husband)).toEqual(['Tied to a chair while his wife shops']);
      expect(await inbox('gp', wife)).toEqual([]);
      expect((await call('gp', 'get', `/api/v1/people/${wife}/notes`)).status).toBe(403);
      const h = await history(wife);
      expect(h.consents[0]).toMatchObject({ decision: 'refused' });
      expect(h.decisions[0]).toMatchObject({ override: true });
      expect(await actionsOn(husband)).toEqual(expect.arrayContaining(['sharing.decision.share', 'sharing.approval.approve', 'disclosure.send']));
    });
  });

  // ------------------------------------------------------------------------------------------

  describe('Case 8: information sharing allows mental health and disability services to work together', () => {
    let client: string;
    let incident: string;
    let disclosureId: string;

    it('the disability service and the mental health service each record their own work with him', async () => {
      client = await person('supportWorker', { given: 'Stuart', family: 'Lennox', sex: 'male', dob: bornYearsAgo(40), address: { line1: '7 Orchard Way', postcode: 'NB10 3JD' } });
      await involve('supportWorker', client, 'key_worker');
      incident = await note('supportWorker', client, 'social_care', 'risk', 'Sudden change in behaviour', 'Angry, house in disarray, aggressive in the supermarket car park, shoved his worker; would not talk.');
      await note('supportWorker', client, 'social_care', 'note', 'Weekly support plan', 'Thursday shopping; Monday gardening club.');
      await involve('amhWorker', client, 'key_worker', { serviceId: serviceIds.amh });
      await note('amhWorker', client, 'health', 'note', 'Medication and appointments', 'Depot medication; missed last appointment.');
    });

    it('the disability service cannot see his mental health service (he never consented to show it)', async () => {
      const involved = await ok(call('supportWorker', 'get', `/api/v1/people/${client}/involvements`));
      expect(JSON.stringify(involved)).not.toMatch(/Adult Mental Health/);
    });

    it('alerts the mental health team without seeking consent, with the client service manager\'s agreement', async () => {
      const r = await decide('supportWorker', client, {
        purpose: 'safeguarding_adult',
        purposeDetail: 'Alert his mental health team to a dramatic change in his behaviour',
        recipientTeamId: team('nhs', 'Adult Mental Health'),
        consentPosition: 'not_sought',
        notSeekingReason: 'impracticable',
        notSeekingDetail: 'He refused to talk, shoved his worker away and slammed the door',
        riskAdult: true,
        publicInterest: true,
        riskDetail: 'Risk of harm to himself and of aggression to staff or others; violent once before after a change of medication',
        legalBases: ['gdpr_6_1_e', 'care2014_s42', 'common_law_public_interest'],
        items: [{ type: 'note', id: incident }],
        minimumNecessary: 'What happened on Thursday; not his weekly support plan',
        outcome: 'share',
        reasons: 'A justified reason to alert the other agency: both can then support him',
        personTold: 'will_tell',
        oneOffJustification: 'No agreement yet between adult social care and the mental health service',
      });
      expect(r).toMatchObject({ status: 'awaiting_approval', approvalRequired: true });
      const s = await settle('disabilityManager', client, r.id, 'approve', 'Agreed: impracticable to seek consent, justified reason to alert them');
      expect(s.status).toBe('shared');
      disclosureId = s.disclosureId;
      expect(await recorded('supportWorker', client, r.id)).toMatchObject({
        recipientTeamName: 'Adult Mental Health', approvedByName: 'Mina Patel', withConsent: false, override: false, legalBases: ['gdpr_6_1_e', 'care2014_s42', 'common_law_public_interest'],
      });
    });

    it('the mental health team sees the incident alongside its own record; each service\'s other notes stay its own', async () => {
      const [d] = await inbox('amhWorker', client);
      expect(d!.id).toBe(disclosureId);
      expect(noteTitles((await open('amhWorker', client, disclosureId)).shown)).toEqual(['Sudden change in behaviour']);
      expect(await notesSeen('amhWorker', client)).toEqual(['Medication and appointments', 'Sudden change in behaviour']);
      expect(await notesSeen('supportWorker', client)).toEqual(['Sudden change in behaviour', 'Weekly support plan']);
      expect(await inbox('healthVisitor', client)).toEqual([]);
      const h = await history(client);
      expect(h.decisions).toHaveLength(1);
      expect(h.disclosures[0]).toMatchObject({ id: disclosureId, recipientTeamName: 'Adult Mental Health' });
      expect(await actionsOn(client)).toEqual(expect.arrayContaining(['sharing.decision.share', 'sharing.approval.approve', 'disclosure.send', 'disclosure.open']));
    });
  });

  // ------------------------------------------------------------------------------------------

  describe('Case 9: sharing relevant information to protect service providers from potential harm', () => {
    let child: string;
    let visitingPolicy: string;
    let abuseHistory: string;
    let therapyNeeds: string;
    let therapyInvolvement: string;
    let referralId: string;
    let policyId: string;
    let policyDisclosure: string;

    it('the therapy service records the child, her parents, its notes and the mother\'s consent and refusal', async () => {
      child = await person('therapyCoordinator', { given: 'Amelia', family: 'Crane', sex: 'female', dob: bornYearsAgo(4), address: { line1: '44 Mere Road', postcode: 'NB13 9QP' } });
      const mother = await person('therapyCoordinator', { given: 'Jodie', family: 'Crane', sex: 'female', dob: bornYearsAgo(32) });
      const father = await person('therapyCoordinator', { given: 'Lee', family: 'Crane', sex: 'male', dob: bornYearsAgo(35) });
      await relate('therapyCoordinator', mother, 'parent', child);
      await relate('therapyCoordinator', father, 'parent', child);
      therapyInvolvement = await involve('therapyCoordinator', child, 'therapist');
      await involve('gp', child, 'gp');
      therapyNeeds = await note('therapyCoordinator', child, 'health', 'assessment', 'Therapy needs', 'Cerebral palsy; very little verbal communication; physiotherapy and speech therapy at home.');
      visitingPolicy = await note('therapyCoordinator', child, 'health', 'alert', 'Two-person visiting policy', 'Staff visit this family in pairs.');
      abuseHistory = await note('therapyCoordinator', child, 'health', 'risk', 'Domestic abuse history', 'Two disputes between the parents during visits, one injuring a therapist; police called; family known to police.');
      await consent('therapyCoordinator', child, {
        decision: 'given', givenBy: 'parental_responsibility', givenByName: 'Jodie Crane', givenBySubjectId: mother,
        capacityAssessment: 'presumed', capacityOutcome: 'capable',
        purposes: ['service_referral'], recipientOrganisationIds: [orgs.westmere], categories: ['identity', 'involvements', 'health'],
        notes: 'Asked us to contact services near their new home',
      });
      await consent('therapyCoordinator', child, {
        decision: 'refused', givenBy: 'parental_responsibility', givenByName: 'Jodie Crane', givenBySubjectId: mother,
        capacityAssessment: 'presumed', capacityOutcome: 'capable',
        purposes: ['staff_safety'], recipientOrganisationIds: [orgs.westmere], categories: ['health'],
        notes: 'Asked us not to mention the domestic abuse: a fresh start',
      });
    });

    it('the referral goes with the mother\'s consent, once an article 9 condition is given for health data', async () => {
      const body = {
        purpose: 'service_referral', purposeDetail: 'Referral for a therapy assessment near their new home', recipientOrganisationId: orgs.westmere,
        consentPosition: 'given', items: [{ type: 'note', id: therapyNeeds }, { type: 'involvement', id: therapyInvolvement }],
        minimumNecessary: 'Her therapy needs and who provides her therapy now, to hand over', outcome: 'share', reasons: 'Her mother asked us to arrange services near the new home', personTold: 'told',
        oneOffJustification: 'Westmere is outside our area and we have no agreement with them',
      };
      const errors = await decideRefused('therapyCoordinator', child, { ...body, legalBases: ['gdpr_6_1_a'] });
      expect(errors['body.legalBases']).toMatch(/special category data: choose a UK GDPR article 9 condition/);
      const r = await decide('therapyCoordinator', child, { ...body, legalBases: ['gdpr_6_1_a', 'gdpr_9_2_a'] });
      expect(r).toMatchObject({ status: 'shared', approvalRequired: false });
      referralId = r.id;
    });

    it('shares in part without consent: only the two-person visiting policy, the abuse history withheld, approved by the manager', async () => {
      const r = await decide('therapyCoordinator', child, {
        purpose: 'staff_safety',
        purposeDetail: 'Let the new provider keep its staff safe on home visits',
        recipientOrganisationId: orgs.westmere,
        consentPosition: 'refused',
        publicInterest: true,
        riskDetail: 'Staff have been present during disputes at home and one was injured',
        legalBases: ['gdpr_6_1_e', 'gdpr_9_2_h', 'common_law_public_interest'],
        items: [{ type: 'note', id: visitingPolicy }],
        minimumNecessary: 'Only the visiting arrangement, so the new service can plan safe visits and a full intake assessment',
        withheld: 'The domestic abuse history: the mother refused and there is not sufficient reason to share it without consent',
        outcome: 'share_in_part',
        reasons: 'Relevant information only: enough for a risk mitigation plan without the family history',
        personTold: 'told',
        oneOffJustification: 'Westmere is outside our area and we have no agreement with them',
      });
      expect(r).toMatchObject({ status: 'awaiting_approval', approvalRequired: true });
      policyId = r.id;
      const s = await settle('therapyManager', child, policyId, 'approve', 'Agreed: the visiting policy only');
      policyDisclosure = s.disclosureId;
      expect(await recorded('therapyCoordinator', child, policyId)).toMatchObject({
        outcome: 'share_in_part', override: true, withConsent: false, approvalStatus: 'approved', approvedByName: 'Alison Pryce',
        withheld: 'The domestic abuse history: the mother refused and there is not sufficient reason to share it without consent',
        legalBases: ['gdpr_6_1_e', 'gdpr_9_2_h', 'common_law_public_interest'],
      });
      expect(await recorded('therapyCoordinator', child, referralId)).toMatchObject({ withConsent: true, approvalRequired: false, legalBases: ['gdpr_6_1_a', 'gdpr_9_2_a'] });
    });

    it('only the two-person visiting policy reaches the new provider of the risk information: the abuse history is not visible', async () => {
      const opened = await open('westmereTherapist', child, policyDisclosure);
      expect(shownTypes(opened)).toEqual(['identity', 'note']);
      expect(noteTitles(opened.shown)).toEqual(['Two-person visiting policy']);
      expect(opened.items.map((i) => i.id)).not.toContain(abuseHistory);
      const seen = await notesSeen('westmereTherapist', child);
      expect(seen).toEqual(['Therapy needs', 'Two-person visiting policy']);
      expect(seen).not.toContain('Domestic abuse history');
      const person = await personSeen('westmereTherapist', child);
      expect(person.relationships).toBeNull();
      expect(person.addresses).toBeNull();
      // Exactly the involvement handed over: not her GP.
      expect(person.involvements.map((i: { id: string }) => i.id)).toEqual([therapyInvolvement]);
      const h = await history(child);
      expect(h.decisions.map((d: { id: string }) => d.id).sort()).toEqual([policyId, referralId].sort());
      expect(JSON.stringify(h.disclosures)).not.toContain(abuseHistory);
      expect(await actionsOn(child)).toEqual(expect.arrayContaining(['consent.given', 'consent.refused', 'sharing.decision.share', 'sharing.decision.share-in-part', 'sharing.approval.approve', 'disclosure.open']));
    });
  });

  // ------------------------------------------------------------------------------------------

  describe('Case 10: sharing information without consent ensures a client receives appropriate support to deal with family and domestic violence', () => {
    let client: string;
    let injuries: string;
    let toDv: string;
    let back: string;

    it('the mental health worker records his client, her partner and his notes; the partner cannot refuse on her behalf', async () => {
      client = await person('amhWorker', { given: 'Joanne', family: 'Sefton', sex: 'female', dob: bornYearsAgo(38), address: { line1: '60 Lime Grove', postcode: 'NB2 8TW' } });
      const partner = await person('amhWorker', { given: 'Wayne', family: 'Sefton', sex: 'male', dob: bornYearsAgo(41), address: { line1: '60 Lime Grove', postcode: 'NB2 8TW' } });
      await relate('amhWorker', client, 'partner', partner);
      await involve('amhWorker', client, 'key_worker', { serviceId: serviceIds.amh });
      injuries = await note('amhWorker', client, 'health', 'risk', 'Injuries and reported abuse', 'Bruised arms, black eye, cut head; her sister reports she is hit, locked in and held under water.');
      await note('amhWorker', client, 'health', 'assessment', 'Psychiatric history and medication', 'Admissions and two suicide attempts; current medication.');
      const errors = await refused(call('amhWorker', 'post', `/api/v1/people/${client}/consents`, {
        decision: 'refused', givenBy: 'lawful_representative', givenByName: 'Wayne Sefton', capacityAssessment: 'presumed', capacityOutcome: 'capable',
        purposes: ['safeguarding_adult'], anyRecipient: true, categories: ['identity', 'health'], method: 'verbal',
      }));
      expect(errors['body.capacityAssessment']).toMatch(/lawful representative decides only for someone assessed as lacking capacity/);
      expect((await ok(call('amhWorker', 'get', `/api/v1/people/${client}/consents`))).consents).toEqual([]);
    });

    it('shares with the domestic abuse service without her consent, endorsed by his supervisor', async () => {
      const r = await decide('amhWorker', client, {
        purpose: 'safeguarding_adult',
        purposeDetail: 'Support from the domestic abuse service and joint protective monitoring',
        recipientTeamId: team('vcs', 'Domestic Abuse Outreach'),
        consentPosition: 'not_sought',
        notSeekingReason: 'unsafe',
        notSeekingDetail: 'Her partner is present at every visit and speaks for her; asking would raise the risk to her',
        riskAdult: true,
        riskDetail: 'Escalating violence and control; her sister fears for her life; she may harm herself',
        legalBases: ['gdpr_6_1_e', 'gdpr_9_2_g', 'care2014_s42'],
        items: [{ type: 'note', id: injuries }],
        minimumNecessary: 'The injuries and what her sister reported; not her psychiatric history',
        outcome: 'share',
        reasons: 'The risk of harm to her may be rising; impracticable and unreasonable to seek consent',
        personTold: 'not_told',
        notToldReason: 'Telling her while her partner controls contact could put her at greater risk',
        oneOffJustification: 'No agreement yet between the mental health service and the domestic abuse service',
      });
      toDv = r.id;
      expect(r.status).toBe('awaiting_approval');
      expect((await settle('amhManager', client, toDv, 'approve', 'Endorsed: contact the domestic violence service')).status).toBe('shared');
    });

    it('the services exchange information: the domestic abuse service shares back, endorsed by its own manager', async () => {
      expect(await notesSeen('daOutreach', client)).toEqual(['Injuries and reported abuse']);
      await involve('daOutreach', client, 'key_worker', { serviceId: serviceIds.da });
      const previous = await note('daOutreach', client, 'voluntary', 'note', 'Earlier disclosure of violence', 'Disclosed physical violence during a hospital admission; declined support and discharged herself.');
      const r = await decide('daOutreach', client, {
        purpose: 'safeguarding_adult',
        purposeDetail: 'Joint protective monitoring with her mental health team',
        recipientTeamId: team('nhs', 'Adult Mental Health'),
        consentPosition: 'not_sought',
        notSeekingReason: 'unsafe',
        notSeekingDetail: 'Contact with her is controlled by her partner; asking would raise the risk',
        riskAdult: true,
        riskDetail: 'A history of violence she disclosed before, now escalating',
        legalBases: ['gdpr_6_1_e', 'care2014_s42', 'common_law_public_interest'],
        items: [{ type: 'note', id: previous }],
        minimumNecessary: 'Her earlier disclosure only',
        outcome: 'share',
        reasons: 'Both services need each other\'s perspective to protect her',
        personTold: 'not_told',
        notToldReason: 'Telling her while her partner controls contact could put her at greater risk',
        oneOffJustification: 'No agreement yet between the domestic abuse service and the mental health service',
      });
      back = r.id;
      expect((await settle('vcsManager', client, back, 'approve', 'Endorsed')).status).toBe('shared');
    });

    it('each service sees the other\'s shared note, not its psychiatric history', async () => {
      expect(await notesSeen('daOutreach', client)).toEqual(['Earlier disclosure of violence', 'Injuries and reported abuse']);
      expect(await notesSeen('amhWorker', client)).toEqual(['Earlier disclosure of violence', 'Injuries and reported abuse', 'Psychiatric history and medication']);
      const h = await history(client);
      expect(h.decisions.map((d: { id: string; approvedByName: string }) => [d.id, d.approvedByName]).sort()).toEqual([[back, 'Owen Castell'], [toDv, 'Esther Mwangi']].sort());
      expect(h.decisions.every((d: { withConsent: boolean }) => !d.withConsent)).toBe(true);
      expect(h.decisions.find((d: { id: string }) => d.id === toDv).legalBases).toEqual(['gdpr_6_1_e', 'gdpr_9_2_g', 'care2014_s42']);
      expect((await audited(client)).filter((e) => e.action === 'sharing.approval.approve').map((e) => e.actorLabel).sort()).toEqual([NEW_STAFF.amhManager.email, NEW_STAFF.vcsManager.email].sort());
    });
  });

  // ------------------------------------------------------------------------------------------

  describe('Case 11: sharing information supports interagency planning and case management', () => {
    let boy: string;
    let mother: string;
    let caring: string;
    let needs: string;
    let toSchool: string;
    let toAdults: string;

    it('the counselling service records the boy, his mother, its notes and her refusals', async () => {
      boy = await person('ypCounsellor', { given: 'Jamie', family: 'Rook', sex: 'male', dob: bornYearsAgo(12), address: { line1: '9 Coppice Lane', postcode: 'NB3 6GH' } });
      mother = await person('ypCounsellor', { given: 'Tina', family: 'Rook', sex: 'female', dob: bornYearsAgo(43), address: { line1: '9 Coppice Lane', postcode: 'NB3 6GH' } });
      await relate('ypCounsellor', mother, 'parent', boy);
      await involve('ypCounsellor', boy, 'therapist');
      await involve('ypCounsellor', mother, 'family_support_worker');
      caring = await note('ypCounsellor', boy, 'voluntary', 'risk', 'Young carer missing school', 'Misses school to help his mother; her partner has left; no other family can help.');
      await note('ypCounsellor', boy, 'voluntary', 'note', 'Counselling sessions', 'What he talks about in sessions.');
      needs = await note('ypCounsellor', mother, 'voluntary', 'note', 'Needs help at home', 'Intellectual disability; no support from any agency since her partner left.');
      const refusal = {
        decision: 'refused', capacityAssessment: 'presumed', capacityOutcome: 'capable',
        purposes: ['early_help', 'education', 'care_and_support'], anyRecipient: true, categories: ['identity', 'family', 'voluntary'],
        notes: 'Does not want the counsellors to talk to other people about her',
      };
      await consent('ypCounsellor', mother, { ...refusal, givenBy: 'person' });
      await consent('ypCounsellor', boy, { ...refusal, givenBy: 'parental_responsibility', givenByName: 'Tina Rook', givenBySubjectId: mother });
    });

    it('going against her wishes, the counsellor shares with the school and adult social care; the managers endorse', async () => {
      const common = {
        consentPosition: 'refused',
        riskChild: true,
        riskAdult: true,
        riskDetail: 'He is taking on inappropriate responsibility and missing school; both may experience neglect or serious threats to their wellbeing',
        outcome: 'share',
        personTold: 'told',
        oneOffJustification: 'No agreement yet with this school or with adult social care',
      };
      const boyItems = await shareable('ypCounsellor', boy);
      const s = await decide('ypCounsellor', boy, {
        ...common, purpose: 'early_help', purposeDetail: 'An interagency meeting through the education service', recipientOrganisationId: orgs.academy,
        legalBases: ['gdpr_6_1_e', 'ca1989_s17', 'ca2004_s10'], items: [{ type: 'note', id: caring }, itemId(boyItems, 'relationship', 'Tina')],
        minimumNecessary: 'Why he misses school and who his mother is; not what he says in counselling', reasons: 'Coordinated support is needed so he can keep going to school',
      });
      const a = await decide('ypCounsellor', mother, {
        ...common, purpose: 'care_and_support', purposeDetail: 'A worker from adult social care to support her at home', recipientOrganisationId: orgs.asc,
        legalBases: ['gdpr_6_1_e', 'care2014_s42', 'common_law_public_interest'], items: [{ type: 'note', id: needs }],
        minimumNecessary: 'That she needs support at home', reasons: 'Without support both of them may experience neglect', personTold: 'will_tell',
      });
      toSchool = s.id;
      toAdults = a.id;
      for (const [id, subject] of [[toSchool, boy], [toAdults, mother]] as const) {
        expect((await settle('vcsManager', subject, id, 'approve', 'Endorsed after consulting the head teacher')).status).toBe('shared');
        expect(await recorded('ypCounsellor', subject, id)).toMatchObject({ override: true, withConsent: false, approvedByName: 'Owen Castell', consentPosition: 'refused' });
      }
      expect(await report('vcsManager', 'override=yes')).toEqual(expect.arrayContaining([toSchool, toAdults]));
    });

    it('the school sees why he misses school, not his counselling; adult social care sees her needs only', async () => {
      expect(await notesSeen('schoolCounsellor', boy)).toEqual(['Young carer missing school']);
      expect((await personSeen('schoolCounsellor', boy)).relationships.map((r: { relatedSubjectId: string }) => r.relatedSubjectId)).toEqual([mother]);
      expect(await notesSeen('adultSocialWorker', mother)).toEqual(['Needs help at home']);
      expect(await inbox('adultSocialWorker', boy)).toEqual([]);
      expect((await call('schoolCounsellor', 'get', `/api/v1/people/${mother}/notes`)).status).toBe(403);
      expect((await history(boy)).decisions[0]).toMatchObject({ id: toSchool, legalBases: ['gdpr_6_1_e', 'ca1989_s17', 'ca2004_s10'], personTold: 'told' });
      expect((await history(mother)).consents[0]).toMatchObject({ decision: 'refused', givenBy: 'person' });
      expect(await actionsOn(mother)).toEqual(expect.arrayContaining(['consent.refused', 'sharing.decision.share', 'sharing.approval.approve', 'disclosure.send']));
    });
  });

  // ------------------------------------------------------------------------------------------

  describe('Case 12: sharing information to protect an individual and group of young people from harm', () => {
    let girl: string;
    let riskAssessment: string;
    let monitoring: string;
    const decisions: Record<'csc' | 'gp' | 'school', string> = { csc: '', gp: '', school: '' };

    it('CAMHS records the girl, her parents, its notes; her Gillick-assessed refusal and her parents\' refusal', async () => {
      girl = await person('camhs', { given: 'Freya', family: 'Lund', sex: 'female', dob: bornYearsAgo(15), address: { line1: '31 Heron Drive', postcode: 'NB5 2XY' } });
      const father = await person('camhs', { given: 'Neil', family: 'Lund', sex: 'male', dob: bornYearsAgo(47) });
      const mother = await person('camhs', { given: 'Harriet', family: 'Lund', sex: 'female', dob: bornYearsAgo(45) });
      await relate('camhs', father, 'parent', girl);
      await relate('camhs', mother, 'parent', girl);
      await involve('camhs', girl, 'therapist', { serviceId: serviceIds.camhs });
      riskAssessment = await note('camhs', girl, 'health', 'assessment', 'Suicide risk assessment', 'Has considered suicide; depression worsening; stopped attending; serious risk of an attempt.');
      monitoring = await note('camhs', girl, 'health', 'alert', 'Protective monitoring plan', 'Discreet check-ins; contact CAMHS at once if absent or distressed.');
      await note('camhs', girl, 'health', 'note', 'Session notes', 'What she talked about in sessions.');
      const presumed = await refused(call('camhs', 'post', `/api/v1/people/${girl}/consents`, {
        decision: 'refused', givenBy: 'person', capacityAssessment: 'presumed', capacityOutcome: 'capable',
        purposes: ['safeguarding_child'], anyRecipient: true, categories: ['identity', 'health'], method: 'verbal',
      }));
      expect(presumed['body.capacityAssessment']).toMatch(/under 16 can consent only if assessed as competent.*Gillick/);
      await consent('camhs', girl, {
        decision: 'refused', givenBy: 'person', capacityAssessment: 'gillick', capacityOutcome: 'capable',
        capacityReasoning: 'Understands what sharing would mean and its consequences, and has the maturity to decide',
        purposes: ['safeguarding_child', 'care_and_support'], anyRecipient: true, categories: ['identity', 'health'],
        notes: 'Agrees only to her parents being told',
      });
      await consent('camhs', girl, {
        decision: 'refused', givenBy: 'parental_responsibility', givenByName: 'Neil and Harriet Lund',
        capacityAssessment: 'presumed', capacityOutcome: 'capable',
        purposes: ['safeguarding_child'], recipientOrganisationTypes: ['childrens_social_care', 'school'], categories: ['identity', 'health'],
        notes: 'Fear she will become more depressed if her peers learn of her problems',
      });
    });

    it('shares against both her and her parents\' wishes with children\'s social care, the GP and the school (the school in part), each approved', async () => {
      const common = {
        purpose: 'safeguarding_child',
        consentPosition: 'refused',
        riskChild: true,
        riskDetail: 'Serious risk of a suicide attempt; disengaged from treatment; all efforts to re-engage her have failed',
        legalBases: ['gdpr_6_1_e', 'gdpr_9_2_g', 'ca2004_s11'],
        personTold: 'will_tell',
      };
      const csc = await decide('camhs', girl, {
        ...common, purposeDetail: 'Protective monitoring and support', recipientOrganisationId: orgs.csc, items: [{ type: 'note', id: riskAssessment }],
        minimumNecessary: 'The risk assessment; not the session notes', outcome: 'share', reasons: 'Sufficient reason to share without consent so professionals can protect her',
      });
      const gp = await decide('camhs', girl, {
        ...common, purposeDetail: 'Protective monitoring by the family GP', recipientOrganisationId: orgs.gp, items: [{ type: 'note', id: riskAssessment }],
        minimumNecessary: 'The risk assessment; not the session notes', outcome: 'share', reasons: 'Sufficient reason to share without consent so professionals can protect her',
        oneOffJustification: 'No agreement between CAMHS and this practice for safeguarding',
      });
      const school = await decide('camhs', girl, {
        ...common, purposeDetail: 'Discreet monitoring at school', recipientOrganisationId: orgs.academy, items: [{ type: 'note', id: monitoring }],
        minimumNecessary: 'Only the monitoring plan, so her privacy among her peers is kept',
        withheld: 'The risk assessment and session notes: the school needs only what to watch for and whom to call',
        outcome: 'share_in_part', reasons: 'The school can support her discreetly without knowing the detail',
        oneOffJustification: 'No agreement between CAMHS and this school',
      });
      Object.assign(decisions, { csc: csc.id, gp: gp.id, school: school.id });
      for (const r of [csc, gp, school]) {
        expect(r).toMatchObject({ status: 'awaiting_approval', approvalRequired: true });
        expect((await settle('camhsManager', girl, r.id, 'approve', 'Agreed: protective monitoring outweighs her and her parents\' wishes')).status).toBe('shared');
      }
      for (const id of Object.values(decisions)) {
        expect(await recorded('camhs', girl, id)).toMatchObject({ override: true, withConsent: false, consentPosition: 'refused', approvedByName: 'Tom Ellery', legalBases: ['gdpr_6_1_e', 'gdpr_9_2_g', 'ca2004_s11'] });
      }
      const inPart = await recorded('camhs', girl, decisions.school);
      expect(inPart.outcome).toBe('share_in_part');
      expect(inPart.categories.sort()).toEqual(['health', 'identity']);
      expect(await report('camhsManager', 'override=yes')).toEqual(expect.arrayContaining(Object.values(decisions)));
    });

    it('each sees what was sent to it: the school only the monitoring plan; nobody sees the session notes', async () => {
      expect(await notesSeen('socialWorker', girl)).toEqual(['Suicide risk assessment']);
      expect(await notesSeen('gp', girl)).toEqual(['Suicide risk assessment']);
      expect(await notesSeen('schoolCounsellor', girl)).toEqual(['Protective monitoring plan']);
      const h = await history(girl);
      expect(h.consents.map((c: { givenBy: string; decision: string }) => `${c.givenBy}:${c.decision}`).sort()).toEqual(['parental_responsibility:refused', 'person:refused']);
      expect(h.decisions).toHaveLength(3);
      expect(h.disclosures).toHaveLength(3);
      expect((await audited(girl)).filter((e) => e.action === 'sharing.approval.approve')).toHaveLength(3);
    });
  });

  // ------------------------------------------------------------------------------------------

  describe('Case 13: consent to share information is refused and the client\'s wishes must be followed', () => {
    let tenant: string;
    let tenancy: string;
    let earlier: string;
    let decisionId: string;

    it('the housing worker records the tenant; his earlier consent is withdrawn and his refusal, as a capable adult, recorded', async () => {
      tenant = await person('housing', { given: 'Colin', family: 'Ashby', sex: 'male', dob: bornYearsAgo(34), address: { line1: 'Flat 8, Kestrel House', postcode: 'NB9 2DD' } });
      await involve('housing', tenant, 'housing_officer');
      tenancy = await note('housing', tenant, 'housing', 'note', 'Giving up his tenancy', 'Intends to give up the flat and live in his car; neighbours and family constantly asking him for money.');
      earlier = await consent('housing', tenant, {
        decision: 'given', givenBy: 'person', capacityAssessment: 'presumed', capacityOutcome: 'capable',
        purposes: ['housing_support'], recipientOrganisationTypes: ['voluntary_sector'], categories: ['identity', 'housing'], method: 'written', validFrom: day(-700),
      });
      const withdrawn = await ok(call('housing', 'post', `/api/v1/people/${tenant}/consents/${earlier}/withdraw`, { reason: 'Does not want support services told about him any more', method: 'verbal' }));
      expect(withdrawn).toMatchObject({ state: 'withdrawn', withdrawalReason: 'Does not want support services told about him any more' });
      await consent('housing', tenant, {
        decision: 'refused', givenBy: 'person', capacityAssessment: 'mental_capacity', capacityOutcome: 'capable',
        capacityReasoning: 'Understands the consequences of giving up the tenancy, weighed them and explained his choice clearly',
        purposes: ['housing_support', 'care_and_support'], recipientOrganisationTypes: ['voluntary_sector'], categories: ['identity', 'housing'],
      });
    });

    it('the guided decision will not rely on the withdrawn consent, nor override his refusal without a risk', async () => {
      const body = {
        purpose: 'housing_support', purposeDetail: 'Ask a support service to help him keep his tenancy', recipientOrganisationId: orgs.vcs,
        legalBases: ['gdpr_6_1_e'], items: [{ type: 'note', id: tenancy }], minimumNecessary: 'His plan to give up the flat', outcome: 'share',
        reasons: 'I am worried about him',
      };
      const given = await decideRefused('housing', tenant, { ...body, consentPosition: 'given' });
      expect(given['body.consentPosition']).toMatch(/Consent was refused on/);
      const override = await decideRefused('housing', tenant, { ...body, consentPosition: 'refused' });
      expect(override['body.risk']).toMatch(/If there is none, the decision is not to share/);
    });

    it('records the decision not to share: his wishes are followed', async () => {
      const r = await decide('housing', tenant, {
        purpose: 'housing_support',
        purposeDetail: 'Whether to ask a support service to help him keep his tenancy',
        recipientOrganisationId: orgs.vcs,
        consentPosition: 'refused',
        outcome: 'not_share',
        reasons: 'He is capable of deciding, refused consent and poses no risk of serious harm to himself or others: his wishes must be followed',
        personTold: 'told',
      });
      expect(r).toMatchObject({ status: 'recorded', approvalRequired: false, disclosureId: null, flags: [] });
      decisionId = r.id;
      expect(await recorded('housing', tenant, decisionId)).toMatchObject({ outcome: 'not_share', consentPosition: 'refused', legalBases: [], approvalStatus: null });
    });

    it('nothing reaches the support service; the refusal, the withdrawal and the decision are in his history and his subject access export', async () => {
      expect(await inbox('familySupport', tenant)).toEqual([]);
      expect((await call('familySupport', 'get', `/api/v1/people/${tenant}/notes`)).status).toBe(403);
      expect((await call('familySupport', 'get', `/api/v1/people/${tenant}`)).status).toBe(403);
      const h = await history(tenant);
      expect(h.consents.map((c: { decision: string; withdrawnAt: string | null }) => `${c.decision}:${c.withdrawnAt ? 'withdrawn' : 'standing'}`).sort()).toEqual(['given:withdrawn', 'refused:standing']);
      expect(h.decisions.map((d: { id: string; outcome: string }) => [d.id, d.outcome])).toEqual([[decisionId, 'not_share']]);
      expect(h.disclosures).toEqual([]);
      const sar = await ok(call('ig', 'post', `/api/v1/people/${tenant}/subject-access`, { reference: 'SAR-CASE-13' }));
      expect(sar.sharing.decisions.map((d: { id: string }) => d.id)).toEqual([decisionId]);
      expect(sar.consents).toHaveLength(2);
      expect(await actionsOn(tenant)).toEqual(expect.arrayContaining(['consent.given', 'consent.withdraw', 'consent.refused', 'sharing.decision.not-share', 'person.subject-access.export']));
    });
  });

  // ------------------------------------------------------------------------------------------

  describe('Case 14: sharing information with consent to support a parent\'s parenting capability', () => {
    let mother: string;
    let lowMood: string;
    let repairs: string;
    let outreach: string;
    const ids: Record<'hv' | 'housing' | 'toHousing' | 'toMidwife', string> = { hv: '', housing: '', toHousing: '', toMidwife: '' };

    it('the health visitor records the family and the mother\'s consent; each agency records what it holds', async () => {
      mother = await person('healthVisitor', { given: 'Hollie', family: 'Marsden', sex: 'female', dob: bornYearsAgo(27), address: { line1: '15 Brook Terrace', postcode: 'NB6 1QQ' } });
      const son = await person('healthVisitor', { given: 'Oscar', family: 'Marsden', sex: 'male', dob: bornYearsAgo(3) });
      const baby = await person('healthVisitor', { given: 'Ava', family: 'Marsden', sex: 'female', dob: day(-42) });
      await relate('healthVisitor', mother, 'parent', son);
      await relate('healthVisitor', mother, 'parent', baby);
      await involve('healthVisitor', mother, 'health_visitor');
      lowMood = await note('healthVisitor', mother, 'health', 'note', 'Struggling to cope', 'Low mood since the separation; no family support; both bedrooms damp; all three have chest infections.');
      await note('healthVisitor', mother, 'health', 'assessment', 'Postnatal depression screening', 'Screening scores and clinical detail.');
      await consent('healthVisitor', mother, {
        decision: 'given', givenBy: 'person', capacityAssessment: 'presumed', capacityOutcome: 'capable',
        purposes: ['early_help', 'housing_support'], recipientOrganisationTypes: ['childrens_social_care', 'housing', 'nhs_trust'],
        categories: ['identity', 'whereabouts', 'family', 'health', 'housing', 'social_care'],
        notes: 'Agreed the outreach worker contacts the midwife, the housing office and the health visitor',
      });
      await involve('earlyHelp', mother, 'early_help_worker');
      outreach = await note('earlyHelp', mother, 'social_care', 'note', 'Outreach visit', 'Visited; damp in both bedrooms needs repair; agreed plan to visit the children\'s centre.');
      await involve('housing', mother, 'housing_officer');
      repairs = await note('housing', mother, 'housing', 'note', 'Repairs and rent account', 'No repairs reported; rent account up to date.');
      await note('housing', mother, 'housing', 'note', 'Neighbour complaint (closed)', 'A noise complaint by a neighbour, closed with no action.');
    });

    it('with her consent, each agency shares some of what it holds, and keeps back what is confidential, without needing approval', async () => {
      const withConsent = { consentPosition: 'given', personTold: 'told', outcome: 'share' };
      const hvItems = await shareable('healthVisitor', mother);
      const hv = await decide('healthVisitor', mother, {
        ...withConsent, purpose: 'early_help', purposeDetail: 'Outreach support for a mother struggling to cope', recipientUserId: staff.earlyHelp.userId,
        legalBases: ['gdpr_6_1_a', 'gdpr_9_2_a'], items: [{ type: 'note', id: lowMood }, itemId(hvItems, 'address', 'Brook Terrace')],
        outcome: 'share_in_part', minimumNecessary: 'How she is coping and the damp; where she lives',
        withheld: 'The postnatal depression screening detail: confidential clinical detail the outreach worker does not need',
        reasons: 'She agreed the outreach worker should know how things are',
      });
      const housing = await decide('housing', mother, {
        ...withConsent, purpose: 'early_help', purposeDetail: 'The outreach worker asked about the tenancy', recipientUserId: staff.earlyHelp.userId,
        legalBases: ['gdpr_6_1_a'], items: [{ type: 'note', id: repairs }], minimumNecessary: 'The repairs and rent position only',
        reasons: 'She agreed the housing office could tell the outreach worker', oneOffJustification: 'No agreement yet between the housing office and early help',
      });
      const ehItems = await shareable('earlyHelp', mother);
      const toHousing = await decide('earlyHelp', mother, {
        ...withConsent, purpose: 'housing_support', purposeDetail: 'Ask the housing office to repair the damp', recipientOrganisationId: orgs.housing,
        legalBases: ['gdpr_6_1_a'], items: [{ type: 'note', id: outreach }, itemId(ehItems, 'address', 'Brook Terrace')], minimumNecessary: 'The damp and the address',
        reasons: 'She asked for help getting the home repaired', oneOffJustification: 'No agreement yet between early help and the housing office',
      });
      const toMidwife = await decide('earlyHelp', mother, {
        ...withConsent, purpose: 'early_help', purposeDetail: 'Let the midwife know of the outreach visit', recipientUserId: staff.midwife.userId,
        legalBases: ['gdpr_6_1_a'], items: [{ type: 'note', id: outreach }], minimumNecessary: 'That an outreach visit was made and the plan',
        reasons: 'She said it would save her explaining everything to the midwife',
      });
      Object.assign(ids, { hv: hv.id, housing: housing.id, toHousing: toHousing.id, toMidwife: toMidwife.id });
      for (const r of [hv, housing, toHousing, toMidwife]) expect(r).toMatchObject({ status: 'shared', approvalRequired: false });
      for (const [who, id] of [['healthVisitor', hv.id], ['housing', housing.id], ['earlyHelp', toHousing.id], ['earlyHelp', toMidwife.id]] as const) {
        expect(await recorded(who, mother, id)).toMatchObject({ withConsent: true, override: false, approvalRequired: false, approvalStatus: null });
        expect((await recorded(who, mother, id)).legalBases).toContain('gdpr_6_1_a');
      }
      expect(await report('cscManager', 'withConsent=yes')).toEqual(expect.arrayContaining([toHousing.id, toMidwife.id]));
    });

    it('each recipient sees what was sent, nothing held back', async () => {
      const received = await inbox('earlyHelp', mother);
      expect(received).toHaveLength(2);
      for (const d of received) await ok(call('earlyHelp', 'post', `/api/v1/people/${mother}/disclosures/${d.id}/acknowledge`));
      expect(await notesSeen('earlyHelp', mother)).toEqual(['Outreach visit', 'Repairs and rent account', 'Struggling to cope']);
      expect(await notesSeen('housing', mother)).toEqual(['Neighbour complaint (closed)', 'Outreach visit', 'Repairs and rent account']);
      expect(await notesSeen('midwife', mother)).toEqual(['Outreach visit']);
      const midwifeView = await personSeen('midwife', mother);
      expect(midwifeView.addresses).toBeNull();
      expect(midwifeView.relationships).toBeNull();
      const h = await history(mother);
      expect(h.decisions).toHaveLength(4);
      expect(h.decisions.every((d: { withConsent: boolean; consentId: string | null }) => d.withConsent && d.consentId)).toBe(true);
      expect(h.disclosures.filter((d: { acknowledgedAt: string | null }) => d.acknowledgedAt)).toHaveLength(2);
      expect(h.decisions.find((d: { id: string }) => d.id === ids.hv)).toMatchObject({ outcome: 'share_in_part', legalBases: ['gdpr_6_1_a', 'gdpr_9_2_a'] });
      expect((await actionsOn(mother)).filter((a) => a === 'disclosure.acknowledge')).toHaveLength(2);
    });
  });
});
