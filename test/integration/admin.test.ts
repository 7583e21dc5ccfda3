import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/totp.ts';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

const ADMIN = 'admin@csc.northbridge.example';

describe(`administration (${describeDatabase()})`, () => {
  let t: TestApp;
  let admin: request.Agent;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await signIn(t, ADMIN);
    token = csrfFrom((await admin.get('/admin/organisations').expect(200)).text);
  });
  afterAll(async () => t?.close());

  const audited = async (action: string) => (await t.services.audit.search({ action, limit: 1 }))[0];

  it('lists the partnership organisations with their types and codes', async () => {
    const res = await admin.get('/admin/organisations').expect(200);
    expect(res.text).toContain('Northbridge Police');
    expect(res.text).toContain('Riverside Medical Practice');
    expect(res.text).toContain('Z99901');
  });

  it('refuses organisations with missing or wrongly shaped fields, naming each', async () => {
    const res = await admin
      .post('/admin/organisations/new')
      .type('form')
      .send({ _csrf: token, name: '', typeCode: 'gp_practice', officialCode: '12345' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Enter the organisation name');
    expect(res.text).toContain('Enter an ODS practice code, like A81001');
    expect(res.text).toContain('href="#officialCode"');
  });

  it('adds an organisation and a team, and refuses duplicates', async () => {
    const created = await admin
      .post('/admin/organisations/new')
      .type('form')
      .send({ _csrf: token, name: 'Brookside Academy', typeCode: 'school', officialCode: '999902', emailDomain: 'brookside.northbridge.example', active: 'true' })
      .expect(302);
    const orgUrl = created.headers.location as string;
    expect(orgUrl).toMatch(/^\/admin\/organisations\/[0-9a-f-]{36}$/);
    const dup = await admin.post('/admin/organisations/new').type('form').send({ _csrf: token, name: 'Another', typeCode: 'school', officialCode: '999902' });
    expect(dup.status).toBe(400);
    expect(dup.text).toContain('Brookside Academy already has the code 999902');
    const team = await admin
      .post(`${orgUrl}/teams/new`)
      .type('form')
      .send({ _csrf: token, name: 'Pastoral', email: 'pastoral@brookside.northbridge.example', phone: '01632 960 777' })
      .expect(302);
    expect(team.headers.location).toBe(orgUrl);
    const page = await admin.get(orgUrl).expect(200);
    expect(page.text).toContain('Pastoral');
    const dupTeam = await admin.post(`${orgUrl}/teams/new`).type('form').send({ _csrf: token, name: 'pastoral' });
    expect(dupTeam.status).toBe(400);
    expect(await audited('admin.team.create')).toMatchObject({ actorLabel: ADMIN, outcome: 'success' });
  });

  it('changes an organisation, keeping the stored OIDC secret when the field is left blank', async () => {
    const org = (await t.services.repositories.organisations.findByName('Northbridge Homes'))!;
    await admin
      .post(`/admin/organisations/${org.id}/edit`)
      .type('form')
      .send({ _csrf: token, name: 'Northbridge Homes', typeCode: 'housing', officialCode: 'LH9901', oidcIssuer: 'https://login.homes.northbridge.example', oidcClientId: 'teamaround', oidcClientSecret: 's3cret-value', active: 'true' })
      .expect(302);
    const first = (await t.services.repositories.organisations.findById(org.id))!;
    expect(first.oidcClientSecret).not.toContain('s3cret');
    expect(t.services.secretBox.decrypt(first.oidcClientSecret!)).toBe('s3cret-value');
    await admin
      .post(`/admin/organisations/${org.id}/edit`)
      .type('form')
      .send({ _csrf: token, name: 'Northbridge Homes', typeCode: 'housing', officialCode: 'LH9901', oidcIssuer: 'https://login.homes.northbridge.example', oidcClientId: 'teamaround', oidcClientSecret: '', active: 'false' })
      .expect(302);
    const second = (await t.services.repositories.organisations.findById(org.id))!;
    expect(second.oidcClientSecret).toBe(first.oidcClientSecret);
    expect(second.active).toBe(false);
    const entry = await audited('admin.organisation.update');
    expect(entry?.details).toEqual({ changed: ['active'] });
  });

  it('invites a practitioner who then sets a password and enrols an authenticator', async () => {
    const org = (await t.services.repositories.organisations.findByName('Northbridge Police'))!;
    const team = (await t.services.repositories.organisations.teams(org.id))[0]!;
    const bad = await admin
      .post('/admin/practitioners/invite')
      .type('form')
      .send({ _csrf: token, email: 'not-an-email', displayName: '', organisationId: org.id });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Enter an email address in the correct format');
    expect(bad.text).toContain('Enter their full name');
    expect(bad.text).toContain('Select at least one role');

    const res = await admin
      .post('/admin/practitioners/invite')
      .type('form')
      .send({ _csrf: token, email: 'New.Officer@police.northbridge.example', displayName: 'Pat Newton', organisationId: org.id, roles: ['practitioner', 'mash_officer'], teamIds: team.id, phone: '01632 960 555' })
      .expect(201);
    const link = /id="invitation-link">([^<]+)</.exec(res.text)?.[1];
    expect(link).toMatch(/\/invitation\/inv_/);
    const path = new URL(link!).pathname;

    const again = await admin.post('/admin/practitioners/invite').type('form').send({ _csrf: token, email: 'new.officer@police.northbridge.example', displayName: 'Pat', organisationId: org.id, roles: 'practitioner' });
    expect(again.text).toContain('A practitioner with this email address already exists');

    const invitee = request.agent(t.app);
    const page = await invitee.get(path).expect(200);
    expect(page.text).toContain('Pat Newton');
    const weak = await invitee.post(path).type('form').send({ _csrf: csrfFrom(page.text), password: 'short', confirmPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('at least 12 characters');
    const mismatch = await invitee.post(path).type('form').send({ _csrf: csrfFrom(page.text), password: 'a long pass phrase', confirmPassword: 'a long pass phrasE' });
    expect(mismatch.text).toContain('Passwords do not match');
    await invitee.post(path).type('form').send({ _csrf: csrfFrom(page.text), password: 'a long pass phrase', confirmPassword: 'a long pass phrase' }).expect(302).expect('Location', '/sign-in');
    // used once only
    expect((await invitee.get(path)).status).toBe(410);

    const signInPage = await invitee.get('/sign-in').expect(200);
    await invitee.post('/sign-in').type('form').send({ _csrf: csrfFrom(signInPage.text), email: 'new.officer@police.northbridge.example', password: 'a long pass phrase' }).expect(302).expect('Location', '/sign-in/set-up-authenticator');
    const enrol = await invitee.get('/sign-in/set-up-authenticator').expect(200);
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(enrol.text)![1]!;
    await invitee.post('/sign-in/set-up-authenticator').type('form').send({ _csrf: csrfFrom(enrol.text), code: totpCode(secret) }).expect(302);
    const home = await invitee.get('/').expect(200);
    expect(home.text).toContain('Pat Newton');
    expect(home.text).toContain('MASH officer');
  });

  it('changes roles and teams, and will not let an administrator remove their own admin role', async () => {
    const user = (await t.services.repositories.users.findByEmail('early.help@csc.northbridge.example'))!;
    await admin
      .post(`/admin/practitioners/${user.id}/edit`)
      .type('form')
      .send({ _csrf: token, displayName: 'Jade Whitfield', roles: ['practitioner', 'team_manager'], teamIds: user.teamIds })
      .expect(302);
    expect((await t.services.repositories.users.findById(user.id))!.roles).toEqual(['practitioner', 'team_manager']);
    expect((await audited('admin.practitioner.update'))?.details).toMatchObject({ rolesAdded: ['team_manager'], rolesRemoved: [] });

    const police = (await t.services.repositories.organisations.findByName('Northbridge Police'))!;
    const policeTeam = (await t.services.repositories.organisations.teams(police.id))[0]!;
    const wrongTeam = await admin.post(`/admin/practitioners/${user.id}/edit`).type('form').send({ _csrf: token, displayName: 'Jade', roles: 'practitioner', teamIds: policeTeam.id });
    expect(wrongTeam.status).toBe(400);
    expect(wrongTeam.text).toContain('Select teams that belong to their organisation');

    const me = (await t.services.repositories.users.findByEmail(ADMIN))!;
    const self = await admin.post(`/admin/practitioners/${me.id}/edit`).type('form').send({ _csrf: token, displayName: 'Alex Morgan', roles: 'practitioner' });
    expect(self.status).toBe(400);
    expect(self.text).toContain('You cannot remove your own system administrator role');
  });

  it('deactivates an account (with a reason), ending its sessions at once', async () => {
    const email = 'gp@riverside.northbridge.example';
    const gp = await signIn(t, email);
    await gp.get('/').expect(200);
    const user = (await t.services.repositories.users.findByEmail(email))!;
    const noReason = await admin.post(`/admin/practitioners/${user.id}/deactivate`).type('form').send({ _csrf: token, reason: ' ' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('Enter why the account is being deactivated');
    await admin.post(`/admin/practitioners/${user.id}/deactivate`).type('form').send({ _csrf: token, reason: 'Left the practice' }).expect(302);
    await gp.get('/').expect(302).expect('Location', '/sign-in');
    expect(await audited('admin.practitioner.deactivate')).toMatchObject({ reason: 'Left the practice', subjectId: user.id });
    await admin.post(`/admin/practitioners/${user.id}/reactivate`).type('form').send({ _csrf: token }).expect(302);
    expect((await t.services.repositories.users.findById(user.id))!.status).toBe('active');
  });

  it('resets a second factor so the practitioner enrols again', async () => {
    const user = (await t.services.repositories.users.findByEmail('health.visitor@nhs.northbridge.example'))!;
    await admin.post(`/admin/practitioners/${user.id}/reset-second-factor`).type('form').send({ _csrf: token }).expect(302);
    expect((await t.services.repositories.users.findById(user.id))!.totpSecret).toBeNull();
    expect(await audited('admin.practitioner.reset-2fa')).toMatchObject({ subjectId: user.id });
  });

  it('filters practitioners and audits the look at their details', async () => {
    const res = await admin.get('/admin/practitioners?text=mensah').expect(200);
    expect(res.text).toContain('Kofi Mensah');
    expect(res.text).not.toContain('Helen Carver');
    const entry = await audited('admin.practitioner.list');
    expect(entry?.details).toMatchObject({ results: 1 });
  });

  it('forbids these pages to anyone who is not a system administrator, and audits the attempt', async () => {
    const worker = await signIn(t, 'social.worker@csc.northbridge.example');
    const res = await worker.get('/admin/practitioners').expect(403);
    expect(res.text).toContain('You do not have access');
    expect(await audited('web.access')).toMatchObject({ actorLabel: 'social.worker@csc.northbridge.example', outcome: 'denied' });
    await worker.get('/audit').expect(403);
  });
});

describe(`administration: escaping (${describeDatabase()})`, () => {
  it('escapes names shown in confirmation banners', async () => {
    const t = await createTestApp();
    try {
      const admin = await signIn(t, ADMIN);
      const token = csrfFrom((await admin.get('/admin/organisations/new').expect(200)).text);
      const res = await admin
        .post('/admin/organisations/new')
        .type('form')
        .send({ _csrf: token, name: '<img src=x onerror=alert(1)> Trust', typeCode: 'voluntary_sector', officialCode: '1234567' })
        .expect(302);
      const page = await admin.get(res.headers.location as string).expect(200);
      expect(page.text).not.toContain('<img src=x');
      expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt; Trust was added');
    } finally {
      await t.close();
    }
  });
});
