/**
 * A synthetic family whose records come from several agencies' feeds, linked to the people through
 * the linking service, for the family summary's tests (invented names, numbers and events).
 *
 *   Marigold Thistlewood (mother, 36) ── partner since 30 days ── Crispin Oakhanger (38, moved in 30 days ago)
 *        │                                                            │
 *   Poppy Thistlewood (9, Hollin Lane Primary)            the unborn child (expected in 60 days)
 */
import { CLI_ACTOR } from '../../src/cli/commands.ts';
import type { Feed } from '../../src/repositories/feed-repository.ts';
import { newId } from '../../src/ids.ts';
import { nhsCheckDigit } from '../../src/people/identifiers.ts';
import type { Principal } from '../../src/services/principal.ts';
import type { TestApp } from './app.ts';

export const ctx = { requestId: 'family-summary-test', ip: '127.0.0.1' };

const day = 86_400_000;
export const daysAgo = (n: number) => new Date(Date.now() - n * day).toISOString().slice(0, 10);
export const yearsAgo = (years: number, extraDays = 0) => daysAgo(Math.round(years * 365.25) + extraDays);

export function nhs(n: number): string {
  for (let b = n; ; b++) {
    const body = String(943_000_000 + b);
    const d = nhsCheckDigit(body);
    if (d >= 0 && d <= 9) return body + d;
  }
}

async function* text(s: string): AsyncGenerator<string> {
  yield s;
}

const csvCell = (v: string | null | undefined) => (v == null ? '' : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const csv = (header: string[], rows: Array<Array<string | null | undefined>>) => [header.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\r\n') + '\r\n';

export interface AgencyRecords {
  people: Array<{ ref: string; given: string; family: string; dob: string; nhs: string }>;
  involvements?: Array<{ ref: string; person: string; role: string; start: string; end?: string; description?: string }>;
  contacts?: Array<{ ref: string; person: string; date: string; type: string; description?: string }>;
  events?: Array<{ ref: string; person: string; date: string; type: string; end?: string; description?: string }>;
}

export interface FamilyScenario {
  marigold: string;
  crispin: string;
  poppy: string;
  unborn: string;
  householdId: string;
  hub: Principal;
  school: Principal;
  gp: Principal;
  police: Principal;
  socialWorker: Principal;
  tokens: Record<'hub' | 'school' | 'gp' | 'police', string>;
  /** The test had to link dependants itself (the import or linking did not carry subject_id to them). */
  linkedByTestHelper: boolean;
}

async function principalFor(t: TestApp, email: string): Promise<{ principal: Principal; token: string }> {
  const token = (await t.services.auth.createApiToken(email, { by: CLI_ACTOR })).token;
  return { principal: (await t.services.auth.authenticateApiToken(token))!, token };
}

/**
 * Sends an agency's records through its feeds (people first), links its people records through the
 * linking service, and returns whether the dependants had to be attached by the test helper.
 */
export async function sendAgencyRecords(t: TestApp, sender: Principal, name: string, r: AgencyRecords): Promise<boolean> {
  const feeds = t.services.feeds;
  const people = await feeds.create(sender, {
    name: `${name} people`,
    kind: 'people',
    format: 'csv',
    mapping: { fields: { sourceRecordId: 'Ref', givenNames: 'First', familyName: 'Last', dateOfBirth: 'Born', nhsNumber: 'NHS' }, dateFormat: 'YYYY-MM-DD' },
  });
  const run = await feeds.import(sender, people, text(csv(['Ref', 'First', 'Last', 'Born', 'NHS'], r.people.map((p) => [p.ref, p.given, p.family, p.dob, p.nhs]))));
  if (run.rowsRejected) throw new Error(`${name}: people rows refused`);
  const imports: Array<[Feed, string]> = [];
  if (r.involvements?.length) {
    const f = await feeds.create(sender, {
      name: `${name} involvements`,
      kind: 'involvements',
      format: 'csv',
      mapping: { fields: { sourceRecordId: 'Ref', personRecordId: 'Person', role: 'Role', startDate: 'Start', endDate: 'End', description: 'Notes' }, dateFormat: 'YYYY-MM-DD' },
    });
    imports.push([f, csv(['Ref', 'Person', 'Role', 'Start', 'End', 'Notes'], r.involvements.map((i) => [i.ref, i.person, i.role, i.start, i.end, i.description]))]);
  }
  if (r.contacts?.length) {
    const f = await feeds.create(sender, {
      name: `${name} contacts`,
      kind: 'contacts',
      format: 'csv',
      mapping: { fields: { sourceRecordId: 'Ref', personRecordId: 'Person', startDate: 'Date', eventType: 'Type', description: 'Notes' }, dateFormat: 'YYYY-MM-DD' },
    });
    imports.push([f, csv(['Ref', 'Person', 'Date', 'Type', 'Notes'], r.contacts.map((c) => [c.ref, c.person, c.date, c.type, c.description]))]);
  }
  if (r.events?.length) {
    const f = await feeds.create(sender, {
      name: `${name} events`,
      kind: 'events',
      format: 'csv',
      mapping: { fields: { sourceRecordId: 'Ref', personRecordId: 'Person', startDate: 'Date', endDate: 'End', eventType: 'Type', description: 'Notes' }, dateFormat: 'YYYY-MM-DD' },
    });
    imports.push([f, csv(['Ref', 'Person', 'Date', 'End', 'Type', 'Notes'], r.events.map((e) => [e.ref, e.person, e.date, e.end, e.type, e.description]))]);
  }
  for (const [f, body] of imports) {
    const res = await feeds.import(sender, f, text(body));
    if (res.rowsRejected) throw new Error(`${name}: ${f.kind} rows refused`);
  }
  const linked = await t.services.linking.run(sender, sender.organisationId, ctx);
  if (linked.linked.length !== r.people.length) throw new Error(`${name}: linked ${linked.linked.length} of ${r.people.length} people records`);
  return attachDependantsIfMissing(t, sender.organisationId);
}

/**
 * Test-only: the lead's linking change carries `subject_id` from a linked people record to the same
 * organisation's involvements, contacts and events. Where that is not (yet) there, attach them here
 * the same way, and say so, so the family summary can be tested on linked records either way.
 */
export async function attachDependantsIfMissing(t: TestApp, organisationId: string): Promise<boolean> {
  const missing = await t.services.database.query<{ n: number }>(
    `select count(*)::int as n from source_record s join source_record p
       on p.organisation_id = s.organisation_id and p.kind = 'people' and p.source_record_id = s.person_record_id
      where s.organisation_id = $1 and s.kind <> 'people' and s.subject_id is null and p.subject_id is not null`,
    [organisationId],
  );
  if (!missing[0]?.n) return false;
  await t.services.database.query(
    `update source_record s set subject_id = p.subject_id from source_record p
      where p.organisation_id = s.organisation_id and p.kind = 'people' and p.source_record_id = s.person_record_id
        and s.organisation_id = $1 and s.kind <> 'people' and s.subject_id is null and p.subject_id is not null`,
    [organisationId],
  );
  return true;
}

export async function buildFamily(t: TestApp): Promise<FamilyScenario> {
  const s = t.services;
  const sw = await principalFor(t, 'social.worker@csc.northbridge.example');
  const hub = await principalFor(t, 'mash.officer@csc.northbridge.example');
  const school = await principalFor(t, 'dsl@hollinlane.northbridge.example');
  const gp = await principalFor(t, 'gp@riverside.northbridge.example');
  const housing = await principalFor(t, 'housing.officer@homes.northbridge.example');
  // A police practitioner without the MASH role (the demo's police officer also works in the MASH).
  const policeOrg = (await s.repositories.users.findByEmail('police.officer@police.northbridge.example'))!.organisationId;
  await s.repositories.users.insert(
    { id: newId(), organisationId: policeOrg, email: 'pc.fenwick@police.northbridge.example', displayName: 'PC Nia Fenwick', jobTitle: 'Neighbourhood officer', phone: '01632 960 251', status: 'active', roles: ['practitioner'], teamIds: [] },
    new Date(),
  );
  const police = await principalFor(t, 'pc.fenwick@police.northbridge.example');
  const policeSender = await principalFor(t, 'police.officer@police.northbridge.example');
  const cscSender = sw;

  const nhsM = nhs(11);
  const nhsC = nhs(22);
  const nhsP = nhs(33);
  const marigoldDob = yearsAgo(36, 40);
  const crispinDob = yearsAgo(38, 100);
  const poppyDob = yearsAgo(9, 20);
  const person = async (given: string, family: string, sex: 'female' | 'male' | 'unknown', dob: string, precision: 'exact' | 'expected', nhsNumber?: string) =>
    (await s.people.create(sw.principal, { givenNames: given, familyName: family, sex, dateOfBirth: dob, dobPrecision: precision, ...(nhsNumber ? { nhsNumber } : {}) }, ctx)).subjectId;
  const marigold = await person('Marigold', 'Thistlewood', 'female', marigoldDob, 'exact', nhsM);
  const crispin = await person('Crispin', 'Oakhanger', 'male', crispinDob, 'exact', nhsC);
  const poppy = await person('Poppy', 'Thistlewood', 'female', poppyDob, 'exact', nhsP);
  const unborn = await person('Baby', 'Thistlewood', 'unknown', new Date(Date.now() + 60 * day).toISOString().slice(0, 10), 'expected');

  await s.people.addRelationship(sw.principal, poppy, { relatedSubjectId: marigold, type: 'child' }, ctx);
  await s.people.addRelationship(sw.principal, marigold, { relatedSubjectId: crispin, type: 'partner', fromDate: daysAgo(30) }, ctx);
  await s.people.addRelationship(sw.principal, marigold, { relatedSubjectId: unborn, type: 'expecting' }, ctx);
  await s.people.addRelationship(sw.principal, crispin, { relatedSubjectId: unborn, type: 'expecting' }, ctx);
  const householdId = await s.people.createHousehold(sw.principal, marigold, { label: 'Thistlewood household', address: 'none', memberSubjectIds: [poppy], fromDate: yearsAgo(5) }, ctx);
  await s.people.addHouseholdMember(sw.principal, marigold, householdId, { memberSubjectId: crispin, fromDate: daysAgo(30) }, ctx);

  // Who works with them, recorded in Team Around.
  await s.people.addInvolvement(sw.principal, poppy, { role: 'allocated_social_worker', practitionerId: sw.principal.userId, startDate: daysAgo(400) }, ctx);
  await s.people.addInvolvement(school.principal, poppy, { role: 'designated_safeguarding_lead', practitionerId: school.principal.userId, startDate: yearsAgo(4) }, ctx);
  await s.people.addInvolvement(gp.principal, marigold, { role: 'gp', practitionerId: gp.principal.userId, startDate: yearsAgo(10) }, ctx);
  await s.people.addInvolvement(police.principal, crispin, { role: 'police_officer', practitionerId: police.principal.userId, startDate: daysAgo(200) }, ctx);
  // A sensitive service (domestic abuse outreach) working with Marigold, without her consent to show it.
  const vcs = await principalFor(t, 'family.support@familysupport.northbridge.example');
  const services = await s.repositories.people.services(vcs.principal.organisationId);
  const da = services.find((x) => x.sensitiveKind === 'domestic_abuse')!;
  await s.people.addInvolvement(vcs.principal, marigold, { role: 'key_worker', serviceId: da.id, practitionerId: vcs.principal.userId, startDate: daysAgo(90) }, ctx);
  await s.repositories.sharing.insertNote({
    subject_id: marigold,
    id: newId(),
    organisation_id: vcs.principal.organisationId,
    category: 'voluntary',
    kind: 'risk',
    title: 'Safety plan in place',
    body: 'Outreach safety planning (invented)',
    recorded_by: vcs.principal.userId,
    recorded_at: new Date(Date.now() - 20 * day),
  });

  // The hub has an open enquiry on each of them (the MASH front door opens these).
  for (const id of [marigold, crispin, poppy, unborn]) {
    await s.repositories.people.openEnquiry({ subjectId: id, id: newId(), organisationId: hub.principal.organisationId, openedBy: hub.principal.userId, reason: 'Locality hub referral (test)' }, new Date());
  }

  let helper = false;
  helper =
    (await sendAgencyRecords(t, cscSender.principal, 'Children social care', {
      people: [{ ref: 'CSC-P1', given: 'Poppy', family: 'Thistlewood', dob: poppyDob, nhs: nhsP }],
      involvements: [
        { ref: 'CSC-I1', person: 'CSC-P1', role: 'Child in need plan', start: yearsAgo(3), end: yearsAgo(2), description: 'Section 17 support' },
        { ref: 'CSC-I2', person: 'CSC-P1', role: 'Child protection plan', start: daysAgo(150), description: 'Category: neglect' },
      ],
    })) || helper;
  helper =
    (await sendAgencyRecords(t, policeSender.principal, 'Police', {
      people: [{ ref: 'POL-1', given: 'Crispin', family: 'Oakhanger', dob: crispinDob, nhs: nhsC }],
      events: [
        { ref: 'POL-E1', person: 'POL-1', date: daysAgo(500), type: 'Domestic abuse incident', description: 'Verbal argument reported by neighbour' },
        { ref: 'POL-E2', person: 'POL-1', date: daysAgo(300), type: 'Anti-social behaviour', description: 'Noise nuisance warning' },
        { ref: 'POL-E3', person: 'POL-1', date: yearsAgo(8), type: 'Arrest: criminal damage' },
      ],
    })) || helper;
  helper =
    (await sendAgencyRecords(t, school.principal, 'School', {
      people: [{ ref: 'SCH-1', given: 'Poppy', family: 'Thistlewood', dob: poppyDob, nhs: nhsP }],
      events: [{ ref: 'SCH-E1', person: 'SCH-1', date: daysAgo(250), type: 'Fixed-term exclusion', description: 'Two days' }],
      contacts: [{ ref: 'SCH-C1', person: 'SCH-1', date: daysAgo(100), type: 'Attendance meeting', description: 'Attendance 84%' }],
    })) || helper;
  helper =
    (await sendAgencyRecords(t, gp.principal, 'GP', {
      people: [{ ref: 'GP-1', given: 'Marigold', family: 'Thistlewood', dob: marigoldDob, nhs: nhsM }],
      events: [{ ref: 'GP-E1', person: 'GP-1', date: daysAgo(60), type: 'Antenatal booking', description: 'Low mood noted' }],
    })) || helper;
  helper =
    (await sendAgencyRecords(t, housing.principal, 'Housing', {
      people: [{ ref: 'H-1', given: 'Marigold', family: 'Thistlewood', dob: marigoldDob, nhs: nhsM }],
      events: [{ ref: 'H-E1', person: 'H-1', date: daysAgo(45), type: 'Rent arrears warning', description: 'Two months behind' }],
    })) || helper;

  return {
    marigold,
    crispin,
    poppy,
    unborn,
    householdId,
    hub: hub.principal,
    school: school.principal,
    gp: gp.principal,
    police: police.principal,
    socialWorker: sw.principal,
    tokens: { hub: hub.token, school: school.token, gp: gp.token, police: police.token },
    linkedByTestHelper: helper,
  };
}
