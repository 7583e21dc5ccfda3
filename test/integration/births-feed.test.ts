import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/cli/commands.ts';
import { BirthsFeedService, weekOf } from '../../src/feeds/births.ts';
import { newId } from '../../src/ids.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

describe('the weekly list of new births for children’s centres', () => {
  let t: TestApp;
  let sw: string;
  let centreId: string;
  const week = weekOf(new Date());
  const born = week.from; // a day in last week

  const call = (method: 'get' | 'post', url: string, body?: object) => {
    const r = request(t.app)[method](url).set('Authorization', `Bearer ${sw}`);
    return body ? r.send(body) : r;
  };
  const baby = async (givenNames: string, postcode: string, dateOfBirth = born) => {
    const res = await call('post', '/api/v1/people', { givenNames, familyName: 'Newborn', sex: 'female', dobPrecision: 'exact', dateOfBirth, address: { line1: '1 Station Road', town: 'Northbridge', postcode } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const id = res.body.subjectId as string;
    await call('post', `/api/v1/people/${id}/involvements`, { role: 'allocated_social_worker', startDate: born }).expect(201);
    return id;
  };
  const consent = async (subjectId: string, body: object) => {
    const res = await call('post', `/api/v1/people/${subjectId}/consents`, {
      decision: 'given',
      givenBy: 'parental_responsibility',
      givenByName: 'Parent Newborn',
      capacityAssessment: 'presumed',
      capacityOutcome: 'capable',
      purposes: ['early_help'],
      recipientOrganisationTypes: ['early_years'],
      categories: ['identity', 'whereabouts'],
      method: 'verbal',
      validFrom: born,
      ...body,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };

  beforeAll(async () => {
    t = await createTestApp();
    sw = (await t.services.auth.createApiToken('social.worker@csc.northbridge.example', { by: CLI_ACTOR })).token;
    centreId = newId();
    await t.services.repositories.organisations.insert(centreId, { name: 'Northbridge North Children’s Centre', typeCode: 'early_years', officialCode: 'EY999001', emailDomain: null, oidcIssuer: null, oidcClientId: null, oidcClientSecret: null, active: true }, new Date());
    await t.services.births.setReachArea(CLI_ACTOR, centreId, ['nb1 2', 'NB3']);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a reach area entry that is not a postcode district or sector', async () => {
    await expect(t.services.births.setReachArea(CLI_ACTOR, centreId, ['NB1', 'Northbridge'])).rejects.toThrow(/Not a postcode district or sector: Northbridge/);
    expect(await t.services.repositories.feeds.reachArea(centreId)).toEqual(['NB1 2', 'NB3']);
  });

  it('lists only children born that week, in the reach area, with consent covering identity and whereabouts; records each child withheld and why', async () => {
    const listed = await baby('Ava', 'NB1 2AB');
    await consent(listed, {});
    const noConsent = await baby('Bea', 'NB3 4DE');
    const wrongPurpose = await baby('Cleo', 'NB3 4DE');
    await consent(wrongPurpose, { purposes: ['education'] });
    const identityOnly = await baby('Dot', 'NB3 4DE');
    await consent(identityOnly, { categories: ['identity'] });
    const outside = await baby('Eve', 'NB9 1AA'); // outside the reach area
    await consent(outside, {});
    const sectorOutside = await baby('Fay', 'NB1 3AB'); // NB1 district, but sector 3 is not in the area
    await consent(sectorOutside, {});

    const list = await t.services.births.list('operator', centreId, week);
    expect(list.children.map((c) => c.givenNames)).toEqual(['Ava']);
    expect(list.children[0]).toEqual({ givenNames: 'Ava', familyName: 'Newborn', dateOfBirth: born, sex: 'female', line1: '1 Station Road', town: 'Northbridge', postcode: 'NB1 2AB' });
    expect(list.withheld.reduce((n, w) => n + w.count, 0)).toBe(3);

    const decisions = await t.services.audit.search({ action: 'person.births-feed.share', limit: 20 });
    const bySubject = new Map(decisions.map((e) => [e.subjectId, e]));
    expect(bySubject.get(listed)!.outcome).toBe('success');
    for (const id of [noConsent, wrongPurpose, identityOnly]) expect(bySubject.get(id)!.outcome).toBe('denied');
    expect(bySubject.get(identityOnly)!.reason).toMatch(/does not cover whereabouts/);
    expect(bySubject.has(outside)).toBe(false);
    const summary = (await t.services.audit.search({ action: 'feed.births.list', limit: 1 }))[0]!;
    expect(summary.details).toMatchObject({ listed: [listed], from: week.from, to: week.to });

    expect(BirthsFeedService.csv(list)).toBe('given_names,family_name,date_of_birth,sex,address_line1,town,postcode\r\n' + `Ava,Newborn,${born},female,1 Station Road,Northbridge,NB1 2AB\r\n`);
  });

  it('refuses anyone outside the centre, and audits the refusal', async () => {
    const principal = (await t.services.auth.authenticateApiToken(sw))!;
    await expect(t.services.births.list(principal, centreId, week)).rejects.toThrow(/Only the children's centre's own staff/);
    const denied = await t.services.audit.search({ action: 'feed.births.list', outcome: 'denied', limit: 1 });
    expect(denied[0]!.subjectId).toBe(centreId);
  });

  it('the weekly job decides each centre’s list and tells its managers, with the link to download it', async () => {
    const managerId = newId();
    await t.services.repositories.users.insert({ id: managerId, organisationId: centreId, email: 'manager@centre.example', displayName: 'Centre Manager', jobTitle: null, phone: null, status: 'active', roles: ['team_manager'], teamIds: [] }, new Date());
    const r = await t.services.births.announceWeekly({ userId: null, label: 'job:births-feed', organisationId: null, roles: [] });
    expect(r).toEqual({ centres: 1, children: 1 });
    const notes = await t.services.database.query<{ message: string; link: string }>("select message, link from notification where kind = 'births-feed' and recipient_user_id = $1", [managerId]);
    expect(notes).toEqual([{ message: `1 new birth in your reach area from ${week.from} to ${week.to} (3 more without the parents' consent, not listed)`, link: `/feeds/births.csv?from=${week.from}` }]);
  });
});
