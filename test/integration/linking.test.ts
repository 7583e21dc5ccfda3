import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/cli/commands.ts';
import { nhsCheckDigit } from '../../src/people/identifiers.ts';
import { LinkingRepository } from '../../src/repositories/linking-repository.ts';
import { LinkingService, scorePairs } from '../../src/services/linking-service.ts';
import { modelMismatch, trainAppModel } from '../../src/linkage/app-model.ts';
import { C_POSTCODE } from '../../src/linkage/compare.ts';
import { syntheticPeople } from '../../src/linkage/synthetic.ts';
import type { Principal } from '../../src/services/principal.ts';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../support/app.ts';

const ctx = { requestId: 'linking-test', ip: '127.0.0.1' };

const nhs = (n: number) => {
  for (let b = n; ; b++) {
    const body = String(900_000_000 + b);
    const d = nhsCheckDigit(body);
    if (d >= 0 && d <= 9) return body + d;
  }
};

async function* text(s: string): AsyncGenerator<string> {
  yield s;
}

describe('record linkage of feed records to people', () => {
  let t: TestApp;
  let linking: LinkingService;
  let links: LinkingRepository;
  let police: Principal;
  let policeToken: string;
  let socialWorker: Principal;
  let zephyrina: string;
  let barnaby: string;
  const zephyrinaNhs = nhs(4242);

  beforeAll(async () => {
    t = await createTestApp();
    links = new LinkingRepository(t.services.database);
    linking = new LinkingService({ links, gate: t.services.gate, people: t.services.repositories.people, persons: t.services.people, audit: t.services.audit });
    const token = (await t.services.auth.createApiToken('police.officer@police.northbridge.example', { by: CLI_ACTOR })).token;
    policeToken = token;
    police = (await t.services.auth.authenticateApiToken(token))!;
    const sw = await t.services.repositories.users.findByEmail('social.worker@csc.northbridge.example');
    socialWorker = (await t.services.auth.principal(sw!.id, 'password'))!;
    zephyrina = (
      await t.services.people.create(socialWorker, { givenNames: 'Zephyrina', familyName: 'Quillfeather', sex: 'female', dateOfBirth: '2015-03-14', dobPrecision: 'exact', nhsNumber: zephyrinaNhs }, ctx)
    ).subjectId;
    barnaby = (await t.services.people.create(socialWorker, { givenNames: 'Barnaby', familyName: 'Wetherspoonle', sex: 'male', dateOfBirth: '2016-07-01', dobPrecision: 'exact' }, ctx)).subjectId;
    const startDate = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    for (const s of [zephyrina, barnaby]) await t.services.people.addInvolvement(socialWorker, s, { role: 'allocated_social_worker', practitionerId: socialWorker.userId, startDate }, ctx);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('links the clear match, queues the uncertain ones with each field’s contribution, leaves the rest, and respects decisions', async () => {
    const feed = await t.services.feeds.create(police, {
      name: 'Custody records',
      kind: 'people',
      format: 'csv',
      mapping: { fields: { sourceRecordId: 'Ref', givenNames: 'First', familyName: 'Last', dateOfBirth: 'Born', nhsNumber: 'NHS', postcode: 'Post' }, dateFormat: 'YYYY-MM-DD' },
    });
    const csv = ['Ref,First,Last,Born,NHS,Post', `L1,Zephyrina,Quillfeather,2015-03-14,${zephyrinaNhs},`, 'L2,Barnaby,Wetherspoonle,2016-07-01,,', 'L3,Cornelius,Throckmorton,1971-11-05,,', 'L4,Barnaby,Wetherspoonle,2016-07-01,,', ''].join('\r\n');
    const imported = await t.services.feeds.import(police, feed, text(csv));
    expect(imported.rowsAccepted).toBe(4);
    const notesBefore = (await t.services.people.notifications(socialWorker)).length;

    const first = await linking.run(police, police.organisationId, ctx, { runId: imported.runId });
    expect(first.considered).toBe(4);
    expect(first.linked.map((l) => [l.sourceRecordId, l.subjectId, l.notified])).toEqual([['L1', zephyrina, 1]]);
    expect(first.queued.map((q) => [q.sourceRecordId, q.subjectId]).sort()).toEqual([
      ['L2', barnaby],
      ['L4', barnaby],
    ]);
    expect(first.left).toEqual(['L3']);
    expect((await links.sourceRecord(police.organisationId, 'people', 'L1'))!.subjectId).toBe(zephyrina);
    const notes = await t.services.people.notifications(socialWorker);
    expect(notes.length).toBe(notesBefore + 1);

    // The review explains each field's level and contribution, and the weight is their sum with the prior.
    const queue = await linking.queue(police);
    const r2 = queue.find((q) => q.sourceRecordId === 'L2')!;
    const r4 = queue.find((q) => q.sourceRecordId === 'L4')!;
    const explanation = r2.explanation as { prior: number; weight: number; fields: Array<{ comparison: string; level: string; weight: number }> };
    expect(explanation.fields.find((f) => f.comparison === 'date_of_birth')).toMatchObject({ level: 'exact' });
    expect(explanation.fields.find((f) => f.comparison === 'nhs_number')).toMatchObject({ level: 'missing', weight: 0 });
    expect(explanation.prior + explanation.fields.reduce((s, f) => s + f.weight, 0)).toBeCloseTo(explanation.weight, 9);
    expect(explanation.weight).toBeGreaterThanOrEqual(linking.reviewWeight);
    expect(explanation.weight).toBeLessThan(linking.autoWeight);

    const detail = await linking.review(police, r2.id, ctx);
    expect(detail.source).toMatchObject({ givenNames: 'Barnaby', familyName: 'Wetherspoonle', dateOfBirth: '2016-07-01' });
    // The candidate's identity is read through the PolicyGate under the reviewer's own basis, and audited with the review as reason.
    expect(detail.person?.subjectId).toBe(barnaby);
    expect(detail.withheld).toBeNull();
    const reads = await t.services.audit.search({ subjectId: barnaby, limit: 50 });
    expect(reads.some((a) => a.reason === `link review ${r2.id}`)).toBe(true);

    // Another organisation cannot decide this organisation's pairs.
    await expect(linking.decide(socialWorker, r2.id, { decision: 'accept' }, ctx)).rejects.toThrow(/organisation/);

    const accepted = await linking.decide(police, r2.id, { decision: 'accept', note: 'same custody photo' }, ctx);
    expect(accepted).toMatchObject({ status: 'accepted', notified: 1 });
    expect((await links.sourceRecord(police.organisationId, 'people', 'L2'))!.subjectId).toBe(barnaby);
    await expect(linking.decide(police, r2.id, { decision: 'reject' }, ctx)).rejects.toThrow();

    const rejected = await linking.decide(police, r4.id, { decision: 'reject', note: 'a different child' }, ctx);
    expect(rejected.status).toBe('rejected');

    // On a later run the rejected pair is not proposed again; the accepted one stays linked.
    const second = await linking.run(police, police.organisationId, ctx);
    expect(second.considered).toBe(2);
    expect(second.queued).toEqual([]);
    expect(second.left.sort()).toEqual(['L3', 'L4']);
    expect(await linking.queue(police)).toEqual([]);

    // Undo the accepted link: the record leaves the person and the pair is queued again.
    await expect(linking.undo(police, accepted.linkId!, { reason: '' }, ctx)).rejects.toThrow();
    await linking.undo(police, accepted.linkId!, { reason: 'two children with the same name and date of birth' }, ctx);
    expect((await links.sourceRecord(police.organisationId, 'people', 'L2'))!.subjectId).toBeNull();
    expect((await linking.queue(police)).map((q) => [q.sourceRecordId, q.subjectId])).toEqual([['L2', barnaby]]);
    // and the auto link can be undone too (re-queued with its explanation)
    await linking.undo(police, first.linked[0]!.linkId, { reason: 'wrong person' }, ctx);
    expect((await links.sourceRecord(police.organisationId, 'people', 'L1'))!.subjectId).toBeNull();
    const requeued = (await linking.queue(police)).find((q) => q.sourceRecordId === 'L1')!;
    expect(requeued.subjectId).toBe(zephyrina);
    expect((requeued.explanation as { fields: unknown[] }).fields.length).toBeGreaterThan(0);

    const audit = await t.services.audit.search({ subjectId: barnaby, limit: 50 });
    const actions = audit.map((a) => a.action);
    for (const a of ['record-link.queued', 'record-link.accepted', 'record-link.rejected', 'record-link.undone', 'record-link.notified']) expect(actions).toContain(a);
  }, 60_000);

  it('offers the run, the review queue with each field’s contribution, and decisions over the API', async () => {
    const api = (method: 'get' | 'post', url: string) => request(t.app)[method](url).set('Authorization', `Bearer ${policeToken}`);
    const queue = await api('get', '/api/v1/linking/reviews').expect(200);
    const l1 = (queue.body.reviews as Array<{ id: string; sourceRecordId: string; weight: number; explanation: { modelId: string | null; fields: Array<{ comparison: string; level: string; weight: number; termFrequencyAdjustment: number }> } }>).find((r) => r.sourceRecordId === 'L1')!;
    expect(l1.explanation.modelId).toBeNull();
    expect(l1.explanation.fields.every((f) => f.termFrequencyAdjustment === 0)).toBe(true);
    expect(l1.explanation.fields.find((f) => f.comparison === 'nhs_number')).toMatchObject({ level: 'exact' });
    const run = await api('post', '/api/v1/linking/runs').send({}).expect(200);
    expect(run.body.linked).toEqual([]);
    expect(run.body.left).toContain('L3');
    expect(run.body.created).toEqual([]);
    const bad = await api('post', `/api/v1/linking/reviews/${l1.id}/decision`).send({ decision: 'maybe' });
    expect(bad.status).toBe(400);
    const ok = await api('post', `/api/v1/linking/reviews/${l1.id}/decision`).send({ decision: 'accept' }).expect(200);
    expect(ok.body).toMatchObject({ status: 'accepted', notified: 1 });
    const other = await request(t.app).get('/api/v1/linking/reviews').expect(401);
    expect(other.body.error).toBeDefined();
  });

  it('shows a reviewer each field’s contribution and takes the decision on a page with a CSRF token', async () => {
    const agent = await signIn(t, 'police.officer@police.northbridge.example');
    const list = await agent.get('/linking').expect(200);
    expect(list.text).toContain('1 pair waiting for review');
    const id = /href="\/linking\/reviews\/([0-9a-f-]{36})"/.exec(list.text)![1]!;
    const page = await agent.get(`/linking/reviews/${id}`).expect(200);
    expect(page.text).toContain('Barnaby Wetherspoonle');
    expect(page.text).toMatch(/date of birth<\/td><td class="govuk-table__cell">exact/);
    expect(page.text).toMatch(/nhs number<\/td><td class="govuk-table__cell">missing<\/td><td class="govuk-table__cell govuk-table__cell--numeric">0<\/td>/);
    await agent.post(`/linking/reviews/${id}`).type('form').send({ decision: 'reject' }).expect(403);
    const none = await agent.post(`/linking/reviews/${id}`).type('form').send({ _csrf: csrfFrom(page.text), decision: '' }).expect(400);
    expect(none.text).toContain('Choose accept or reject');
    await agent.post(`/linking/reviews/${id}`).type('form').send({ _csrf: csrfFrom(page.text), decision: 'reject', note: 'twins' }).expect(303);
    expect((await agent.get('/linking').expect(200)).text).toContain('No pairs are waiting for review');
  });

  it('takes an agency’s events, contacts and involvements along with its people record: linked, undone and re-linked', async () => {
    const source = (id: string) => links.sourceRecord(police.organisationId, 'events', id).then((r) => r!.subjectId);
    expect((await links.sourceRecord(police.organisationId, 'people', 'L1'))!.subjectId).toBe(zephyrina);
    const feed = await t.services.feeds.create(police, {
      name: 'Custody events',
      kind: 'events',
      format: 'csv',
      mapping: { fields: { sourceRecordId: 'Id', personRecordId: 'Person', startDate: 'On', eventType: 'What', description: 'Notes' }, dateFormat: 'YYYY-MM-DD' },
    });
    const events = ['Id,Person,On,What,Notes', 'E1,L1,2025-01-02,missing episode,Found at a friend’s house', 'E2,L1,2025-02-03,return interview,', 'E3,L3,2025-03-04,arrest,', ''].join('\n');
    expect((await t.services.feeds.import(police, feed, text(events))).rowsAccepted).toBe(3);
    // L1 is already linked: its events follow it at once; L3 is linked to nobody, and neither is its event.
    expect(await source('E1')).toBe(zephyrina);
    expect(await source('E2')).toBe(zephyrina);
    expect(await source('E3')).toBeNull();

    // The police see their own record and what follows it; children's social care, working with the child,
    // see that the police hold a record, and whom to ask, but not the police record itself.
    const api = (token: string, url: string) => request(t.app).get(url).set('Authorization', `Bearer ${token}`);
    const own = await api(policeToken, `/api/v1/people/${zephyrina}/linked-records?reason=${encodeURIComponent('checking our custody record links')}`).expect(200);
    const mine = own.body.records.find((r: { kind: string; undone: unknown }) => r.kind === 'people' && !r.undone);
    expect(mine).toMatchObject({ record: { sourceRecordId: 'L1', givenNames: 'Zephyrina' }, dependants: { events: 2 }, withheld: null, mayUndo: true });
    const swToken = (await t.services.auth.createApiToken('social.worker@csc.northbridge.example', { by: CLI_ACTOR })).token;
    const theirs = await api(swToken, `/api/v1/people/${zephyrina}/linked-records`).expect(200);
    const seen = theirs.body.records.find((r: { linkId: string }) => r.linkId === mine.linkId);
    expect(seen).toMatchObject({ record: null, dependants: null, mayUndo: false, organisation: { name: mine.organisation.name } });
    expect(seen.withheld).toContain(`${mine.organisation.name} holds this record: ask them`);
    expect(JSON.stringify(theirs.body)).not.toContain('L1');
    const audited = await t.services.audit.search({ subjectId: zephyrina, limit: 20 });
    expect(audited.filter((a) => a.action === 'person.linked-records.read').length).toBeGreaterThanOrEqual(2);

    // Undoing the link takes the events away too; a new event for the record waits unlinked.
    await linking.undo(police, mine.linkId, { reason: 'the custody record is of a cousin' }, ctx);
    expect(await source('E1')).toBeNull();
    expect(await source('E2')).toBeNull();
    const later = ['Id,Person,On,What,Notes', 'E4,L1,2025-04-05,missing episode,', ''].join('\n');
    await t.services.feeds.import(police, feed, text(later));
    expect(await source('E4')).toBeNull();
    // Linked again by a reviewer: the record brings all its events back.
    const review = (await linking.queue(police)).find((q) => q.sourceRecordId === 'L1')!;
    await linking.decide(police, review.id, { decision: 'accept', note: 'checked again: it is her' }, ctx);
    for (const id of ['E1', 'E2', 'E4']) expect(await source(id)).toBe(zephyrina);
    expect(await source('E3')).toBeNull();
    const after = await api(policeToken, `/api/v1/people/${zephyrina}/linked-records?reason=${encodeURIComponent('checking our custody record links')}`).expect(200);
    const [current, ...undone] = after.body.records as Array<{ undone: unknown; dependants: unknown }>;
    expect(current).toMatchObject({ undone: null, dependants: { events: 3 } });
    expect(undone.length).toBe(2);
    for (const u of undone) expect(u).toMatchObject({ undone: expect.objectContaining({ reason: expect.any(String) }), dependants: null });
  });

  it('lists a person’s linked records on a page, and undoes a link from it with a reason', async () => {
    const agent = await signIn(t, 'police.officer@police.northbridge.example');
    const reason = encodeURIComponent('checking our custody record links');
    const page = await agent.get(`/people/${zephyrina}/linked-records?reason=${reason}`).expect(200);
    expect(page.text).toContain('Agency records linked to this person');
    expect(page.text).toContain('3 events');
    const undoHref = /href="(\/linking\/links\/[0-9a-f-]{36}\/undo)"/.exec(page.text)![1]!;
    const form = await agent.get(undoHref).expect(200);
    const empty = await agent.post(undoHref).type('form').send({ _csrf: csrfFrom(form.text), reason: '' }).expect(400);
    expect(empty.text).toContain('Enter why the link is wrong');
    await agent.post(undoHref).type('form').send({ _csrf: csrfFrom(form.text), reason: 'a different Zephyrina' }).expect(303);
    const again = await agent.get(`/people/${zephyrina}/linked-records?reason=${reason}`).expect(200);
    expect(again.text).toContain('a different Zephyrina');
    expect(again.text).not.toContain('/undo"');
  });

  it('trains the model only at the operator’s hand, refuses with too few records, and scores with the newest trained model', async () => {
    // Nobody signed in may train it, whatever their role: the refusal is audited.
    const ig = await t.services.repositories.users.findByEmail('ig.lead@csc.northbridge.example');
    const igLead = (await t.services.auth.principal(ig!.id, 'password'))!;
    await expect(linking.train(igLead, ctx)).rejects.toThrow(/operator/);
    const denied = await t.services.audit.search({ action: 'linkage-model.train', limit: 5 });
    expect(denied[0]).toMatchObject({ outcome: 'denied' });
    // This database holds a handful of people: the operator is told how many it needs.
    await expect(linking.train('operator', ctx)).rejects.toThrow(/at least 1000 people/);

    // A model trained on synthetic people is kept, and a new run scores with it (term frequencies included).
    const { set } = syntheticPeople(6000, 11);
    const all = Array.from({ length: set.size }, (_, i) => set.get(i));
    const { model } = trainAppModel(
      all.filter((r) => r.id.endsWith('-0')),
      all.filter((r) => !r.id.endsWith('-0')),
    );
    // A model stored by an earlier version, whose postcode comparison had one level fewer, is set aside:
    // the run scores with the starting values until training runs again.
    const earlier = { ...model.params, m: model.params.m.map((r, c) => (c === C_POSTCODE ? r.slice(0, -1) : r)), u: model.params.u.map((r, c) => (c === C_POSTCODE ? r.slice(0, -1) : r)), weights: model.params.weights.map((r, c) => (c === C_POSTCODE ? r.slice(0, -1) : r)) };
    expect(modelMismatch(earlier)).toMatch(/postcode has 6 levels where this version has 7/);
    await links.saveModel({ id: '01900000-0000-7000-8000-00000000a000', trainedBy: 'test', records: set.size, params: earlier, nameFrequencies: model.names }, new Date(Date.now() - 60_000));
    const beforeTraining = new LinkingService({ links, gate: t.services.gate, people: t.services.repositories.people, persons: t.services.people, audit: t.services.audit });
    expect((await beforeTraining.model()).id).toBeNull();
    const modelId = '01900000-0000-7000-8000-00000000a001';
    await links.saveModel({ id: modelId, trainedBy: 'test', records: set.size, params: model.params, nameFrequencies: model.names }, new Date());
    const fresh = new LinkingService({ links, gate: t.services.gate, people: t.services.repositories.people, persons: t.services.people, audit: t.services.audit });
    expect((await fresh.model()).id).toBe(modelId);
    const feed = await t.services.feeds.create(police, {
      name: 'Custody records 2',
      kind: 'people',
      format: 'csv',
      mapping: { fields: { sourceRecordId: 'Ref', givenNames: 'First', familyName: 'Last', dateOfBirth: 'Born', postcode: 'Post' }, dateFormat: 'YYYY-MM-DD' },
    });
    const imported = await t.services.feeds.import(police, feed, text(['Ref,First,Last,Born,Post', 'M1,Barnaby,Wetherspoonle,2016-07-01,', ''].join('\n')));
    const run = await fresh.run(police, police.organisationId, ctx, { runId: imported.runId });
    const outcome = [...run.queued, ...run.linked].find((x) => x.sourceRecordId === 'M1')!;
    expect(outcome.subjectId).toBe(barnaby);
    // The weight it was decided on is the trained model's, explained field by field with term frequencies.
    const source = (await links.sourceRecord(police.organisationId, 'people', 'M1'))!;
    const [scored] = scorePairs(source, await t.services.repositories.people.candidates([barnaby]), await fresh.model());
    const explanation = scored!.explanation;
    expect(explanation.modelId).toBe(modelId);
    expect(explanation.weight).toBeCloseTo(outcome.weight, 9);
    expect(explanation.prior).toBeCloseTo(Math.log2(model.params.lambda / (1 - model.params.lambda)), 6);
    // 'Wetherspoonle' is in no name table: scored as a rare surname, so it counts for more than its u alone.
    expect(explanation.fields.find((f) => f.comparison === 'surname')!.termFrequencyAdjustment).toBeGreaterThan(0);
    expect(explanation.prior + explanation.fields.reduce((sum, f) => sum + f.weight, 0)).toBeCloseTo(explanation.weight, 9);
  }, 120_000);

  it('records a record that matches nobody as a new person when asked, with the agency’s id, and never one a reviewer holds', async () => {
    const api = (method: 'get' | 'post', url: string) => request(t.app)[method](url).set('Authorization', `Bearer ${policeToken}`);
    // L3 (Cornelius Throckmorton) matched nobody; L4 has a rejected pair, so a reviewer decided about it: it stays.
    const run = await api('post', '/api/v1/linking/runs').send({ createPeople: true }).expect(200);
    const made = (run.body.created as Array<{ sourceRecordId: string; subjectId: string; linkId: string }>).find((c) => c.sourceRecordId === 'L3')!;
    expect(made).toBeDefined();
    expect(run.body.created.map((c: { sourceRecordId: string }) => c.sourceRecordId)).not.toContain('L4');
    expect((await links.sourceRecord(police.organisationId, 'people', 'L3'))!.subjectId).toBe(made.subjectId);
    const view = await t.services.people.view(police, made.subjectId, ctx);
    expect(view.identity?.names[0]).toMatchObject({ givenNames: 'Cornelius', familyName: 'Throckmorton' });
    const identity = view.identity as { identifiers?: Array<{ scheme: string; value: string }> } | null;
    expect(identity?.identifiers?.some((i) => i.scheme === 'local' && i.value === 'L3')).toBe(true);
    const records = await api('get', `/api/v1/people/${made.subjectId}/linked-records`).expect(200);
    expect(records.body.records).toMatchObject([{ how: 'created', record: { sourceRecordId: 'L3' } }]);
    const audit = (await t.services.audit.search({ subjectId: made.subjectId, limit: 20 })).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['person.create', 'record-link.created']));
    // Run again: nothing is made twice.
    const again = await api('post', '/api/v1/linking/runs').send({ createPeople: true }).expect(200);
    expect(again.body.created.map((c: { sourceRecordId: string }) => c.sourceRecordId)).not.toContain('L3');
  });
});
