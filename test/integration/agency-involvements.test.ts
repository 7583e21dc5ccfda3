/**
 * Who is involved as agencies' own systems record it: involvements feeds (with the practitioner and
 * team), linked to people, read through the API and the person page by viewers with different bases.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/cli/commands.ts';
import type { Principal } from '../../src/services/principal.ts';
import { createTestApp, signIn, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';
import { buildFamily, ctx, daysAgo, nhs, sendAgencyRecords, yearsAgo, type FamilyScenario } from '../support/family-summary.ts';

interface AgencyRow {
  organisation: { id: string; name: string };
  sourceRecordId: string;
  role: string;
  practitionerName: string | null;
  teamName: string | null;
  phone: string | null;
  email: string | null;
  startDate: string;
  endDate: string | null;
}
interface AgencyView {
  current: AgencyRow[];
  past: AgencyRow[];
  heldBy: Array<{ organisation: { id: string; name: string }; reason: string }>;
}

async function* text(s: string): AsyncGenerator<string> {
  yield s;
}

describe(`who is involved, as agencies' own systems record it (${describeDatabase()})`, () => {
  let t: TestApp;
  let f: FamilyScenario;
  const tokens: Record<string, string> = {};
  let policeSender: Principal;

  const tokenFor = async (email: string) => (tokens[email] ??= (await t.services.auth.createApiToken(email, { by: CLI_ACTOR })).token);
  const agencyInvolvements = async (email: string, subjectId: string, query: Record<string, string> = {}) =>
    request(t.app).get(`/api/v1/people/${subjectId}/agency-involvements`).query(query).set('Authorization', `Bearer ${await tokenFor(email)}`);

  beforeAll(async () => {
    t = await createTestApp();
    f = await buildFamily(t);
    // The police system sends who works with Crispin, naming the officer and the team (0014).
    const token = await tokenFor('police.officer@police.northbridge.example');
    policeSender = (await t.services.auth.authenticateApiToken(token))!;
    const feed = await t.services.feeds.create(policeSender, {
      name: 'Police involvements with officers',
      kind: 'involvements',
      format: 'csv',
      mapping: {
        fields: { sourceRecordId: 'Ref', personRecordId: 'Person', role: 'Role', practitionerName: 'Officer', teamName: 'Unit', phone: 'Phone', email: 'Email', startDate: 'Start', endDate: 'End' },
        dateFormat: 'YYYY-MM-DD',
      },
    });
    const csv = [
      'Ref,Person,Role,Officer,Unit,Phone,Email,Start,End',
      `POL-I1,POL-1,Offender manager,DS Rowan Achterberg,Integrated offender management,01632 960 477,iom@police.northbridge.example,${daysAgo(120)},`,
      `POL-I2,POL-1,Case officer,PC Mabel Ostrander,Response team,,,${daysAgo(700)},${daysAgo(500)}`,
      `POL-I3,POL-1,Case officer,${'x'.repeat(201)},Response team,,,${daysAgo(10)},`,
      '',
    ].join('\r\n');
    const run = await t.services.feeds.import(policeSender, feed, text(csv));
    expect(run.rowsAccepted).toBe(2);
    expect(run.rowsRejected).toBe(1);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it('names the practitioner over a limit by row and column, and keeps the good rows', async () => {
    const errors = await t.services.database.query<{ row_number: number; column_name: string; reason: string }>(
      `select e.row_number, e.column_name, e.reason from import_error e join import_run r on r.id = e.run_id join feed f on f.id = r.feed_id where f.name = 'Police involvements with officers'`,
    );
    expect(errors).toEqual([{ row_number: 4, column_name: 'Officer', reason: "Practitioner's name must be 200 characters or fewer" }]);
  });

  it('shows the sending agency its own involvements in full: role, officer, unit, work contacts, current and ended', async () => {
    const res = await agencyInvolvements('police.officer@police.northbridge.example', f.crispin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const v = res.body as AgencyView;
    expect(v.current).toEqual([
      expect.objectContaining({ role: 'Offender manager', practitionerName: 'DS Rowan Achterberg', teamName: 'Integrated offender management', phone: '01632 960 477', email: 'iom@police.northbridge.example', endDate: null }),
    ]);
    expect(v.past.map((r) => r.practitionerName)).toEqual(['PC Mabel Ostrander']);
    expect((res.body as { more: boolean }).more).toBe(false);
  });

  it("shows children's social care's own rows to its social worker, and every agency's to the hub on its enquiry", async () => {
    const sw = (await agencyInvolvements('social.worker@csc.northbridge.example', f.poppy)).body as AgencyView;
    expect(sw.current.map((r) => r.role)).toEqual(['Child protection plan']);
    expect(sw.past.map((r) => r.role)).toEqual(['Child in need plan']);
    const hub = await agencyInvolvements('mash.officer@csc.northbridge.example', f.crispin);
    expect(hub.status).toBe(200);
    expect((hub.body as AgencyView).current.map((r) => r.practitionerName)).toEqual(['DS Rowan Achterberg']);
    expect((hub.body as AgencyView).heldBy).toEqual([]);
  });

  it("names the agency, with why and whom to ask, to a viewer who may know who is involved but not see that agency's records", async () => {
    // The school's DSL works with Poppy: the social care plan is children's social care's record, not the school's.
    const res = await agencyInvolvements('dsl@hollinlane.northbridge.example', f.poppy);
    expect(res.status).toBe(200);
    const v = res.body as AgencyView;
    expect([...v.current, ...v.past]).toEqual([]);
    expect(v.heldBy).toHaveLength(1);
    expect(v.heldBy[0]!.organisation.name).toMatch(/Children/);
    expect(v.heldBy[0]!.reason).toMatch(/records involvement with this person in its own system: ask them\./);
    expect(JSON.stringify(v)).not.toMatch(/protection|in need/i);
  });

  it('under the contact minimum names who is involved now, and nothing of what their system says', async () => {
    // The GP works with Marigold, not Poppy: with a stated reason, the contact minimum.
    const without = await agencyInvolvements('gp@riverside.northbridge.example', f.poppy);
    expect(without.status).toBe(403);
    const res = await agencyInvolvements('gp@riverside.northbridge.example', f.poppy, { reason: 'Mother registered with us; checking who works with the child' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const v = res.body as AgencyView;
    expect([...v.current, ...v.past]).toEqual([]);
    expect(v.heldBy.map((h) => h.organisation.name)).toEqual([expect.stringMatching(/Children/)]);
  });

  it('never names, through its records, a sensitive service hidden from the viewer: neither its involvements nor its linked records', async () => {
    // The domestic abuse outreach service works with Marigold without her consent to show it (buildFamily).
    // Its own system now sends her record and its involvement; linking attaches them to her.
    const vcsToken = await tokenFor('family.support@familysupport.northbridge.example');
    const vcs = (await t.services.auth.authenticateApiToken(vcsToken))!;
    await sendAgencyRecords(t, vcs, 'Outreach', {
      people: [{ ref: 'DA-1', given: 'Marigold', family: 'Thistlewood', dob: yearsAgo(36, 40), nhs: nhs(11) }],
      involvements: [{ ref: 'DA-I1', person: 'DA-1', role: 'Domestic abuse outreach worker', start: daysAgo(90) }],
    });
    const own = (await agencyInvolvements('family.support@familysupport.northbridge.example', f.marigold)).body as AgencyView;
    expect(own.current.map((r) => r.role)).toEqual(['Domestic abuse outreach worker']);
    for (const email of ['gp@riverside.northbridge.example', 'mash.officer@csc.northbridge.example']) {
      const res = await agencyInvolvements(email, f.marigold);
      expect(res.status, email).toBe(200);
      expect(JSON.stringify(res.body), email).not.toMatch(/outreach|domestic|familysupport|Family Support/i);
      const linked = await request(t.app).get(`/api/v1/people/${f.marigold}/linked-records`).set('Authorization', `Bearer ${await tokenFor(email)}`);
      expect(linked.status, email).toBe(200);
      expect(JSON.stringify(linked.body), email).not.toContain(vcs.organisationId);
    }
  });

  it('audits each read as one entry, refusals too', async () => {
    const entries = await t.services.audit.search({ action: 'person.agency-involvements.read', limit: 50 });
    expect(entries.filter((e) => e.outcome === 'success').length).toBeGreaterThanOrEqual(5);
    expect(entries.some((e) => e.outcome === 'denied' && e.subjectId === f.poppy)).toBe(true);
  });

  it('shows them on the person page under "Who is involved", and they leave with the link when it is undone', async () => {
    const agent = await signIn(t, 'police.officer@police.northbridge.example');
    const page = await agent.get(`/people/${f.crispin}`).expect(200);
    expect(page.text).toContain("Recorded by agencies' own systems");
    expect(page.text).toContain('DS Rowan Achterberg');
    expect(page.text).toContain('Integrated offender management');
    expect(page.text).toContain('href="tel:01632960477"');

    const links = await t.services.linking.linkedRecords(policeSender, f.crispin, ctx);
    const police = links.records.find((r) => r.organisationId === policeSender.organisationId && !r.undone)!;
    await t.services.linking.undo(policeSender, police.linkId, { reason: 'Wrong Crispin: another man of the same name' }, ctx);
    const after = (await agencyInvolvements('mash.officer@csc.northbridge.example', f.crispin)).body as AgencyView;
    expect([...after.current, ...after.past]).toEqual([]);
    const again = await agent.get(`/people/${f.crispin}`).expect(200);
    expect(again.text).not.toContain('DS Rowan Achterberg');
  });
});
