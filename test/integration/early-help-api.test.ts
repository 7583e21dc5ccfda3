import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

/**
 * Early help end to end through the API, on the LSCB case studies (names invented):
 * - 11: a 12-year-old missing school to care for his mother, who refuses consent; an interagency
 *   meeting plans support against her wishes and allocates a lead professional;
 * - 14: a struggling single mother with consent to share; outreach, housing repairs, the children's
 *   centre; the plan closes stepping down to a universal service, which then sees the history;
 * - 18 is not in the shared copy of the case studies (only 1-14 are reproduced), so the nearest
 *   multi-agency early help case, 10 (domestic abuse referred to MARAC), stands in for it;
 * - a joint action group on anti-social behaviour (invented; no case study covers one).
 */
const CLI = { userId: null, label: 'test', organisationId: null, roles: [] };
const USERS = {
  beth: 'family.support@familysupport.northbridge.example',
  jade: 'early.help@csc.northbridge.example',
  mark: 'dsl@hollinlane.northbridge.example',
  hv: 'health.visitor@nhs.northbridge.example',
  housing: 'housing.officer@homes.northbridge.example',
  police: 'police.officer@police.northbridge.example',
  gp: 'gp@riverside.northbridge.example',
  sw: 'social.worker@csc.northbridge.example',
  tm: 'team.manager@csc.northbridge.example',
  probation: 'probation.officer@probation.northbridge.example',
} as const;
type Who = keyof typeof USERS;

const day = (offset: number) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
};

describe(`Early help API on case studies 11, 14 and 10 (case 10 in place of 18, which is not in the shared copy) (${describeDatabase()})`, () => {
  let t: TestApp;
  const tokens = {} as Record<Who, string>;
  const ids = {} as Record<Who, string>;

  const call = (who: Who, method: 'get' | 'post', path: string, body?: unknown) => {
    const r = request(t.app)[method](path).set('Authorization', `Bearer ${tokens[who]}`);
    return body === undefined ? r : r.send(body as object);
  };
  const ok = async (p: Promise<request.Response> | request.Test, status = 200) => {
    const res = await p;
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res.body;
  };
  const person = async (who: Who, givenNames: string, familyName: string, dateOfBirth: string, sex = 'male') =>
    (await ok(call(who, 'post', '/api/v1/people', { givenNames, familyName, sex, dobPrecision: 'exact', dateOfBirth, address: { line1: '4 Tern Close', town: 'Northbridge', postcode: 'NB4 7QD' } }), 201)).subjectId as string;
  const involve = (who: Who, subjectId: string, role: string) => ok(call(who, 'post', `/api/v1/people/${subjectId}/involvements`, { role, startDate: day(-30) }), 201);
  const audit = async (action: string, subjectId: string) => {
    await t.services.audit.flush();
    return (await t.services.database.query<{ outcome: string; actor_user_id: string | null; details: Record<string, unknown> }>('select outcome, actor_user_id, details from audit_event where action = $1 and subject_id = $2 order by seq', [action, subjectId]));
  };

  beforeAll(async () => {
    t = await createTestApp();
    for (const [who, email] of Object.entries(USERS) as Array<[Who, string]>) {
      const created = await t.services.auth.createApiToken(email, { by: CLI });
      tokens[who] = created.token;
      ids[who] = created.user.id;
    }
  }, 120_000);
  afterAll(async () => t?.close());

  it('case 14: a consented assessment saved page by page, locked when complete, versioned; a plan the whole team sees; stepped down with its history', async () => {
    const reuben = await person('hv', 'Reuben', 'Dunne', day(-3 * 365 - 40));
    await involve('hv', reuben, 'health_visitor');
    await involve('beth', reuben, 'family_support_worker');
    await involve('housing', reuben, 'housing_officer');

    // Someone outside the team around the family sees nothing, and the refusal is audited.
    const outside = await call('police', 'get', `/api/v1/people/${reuben}/early-help`);
    expect(outside.status).toBe(403);
    expect((await audit('early-help.read', reuben)).at(-1)!.outcome).toBe('denied');

    await ok(call('beth', 'post', `/api/v1/people/${reuben}/early-help/plan`, { reason: 'Mother low and isolated after separation; damp home; no family support', reviewIntervalDays: 28 }), 201);
    const again = await call('beth', 'post', `/api/v1/people/${reuben}/early-help/plan`, { reason: 'Second plan', reviewIntervalDays: 28 });
    expect(again.status).toBe(400);

    // The first lead professional: anyone in the team may name one while there is none.
    await ok(call('beth', 'post', `/api/v1/people/${reuben}/early-help/lead-professional`, { userId: ids.beth, note: 'Outreach worker agreed with Kayleigh at the first visit' }), 204);

    const draft = await ok(call('beth', 'post', `/api/v1/people/${reuben}/early-help/assessments`), 201);
    expect(draft).toMatchObject({ version: 1, resumed: false });
    const base = `/api/v1/people/${reuben}/early-help/assessments/${draft.id}`;
    await ok(call('beth', 'post', `${base}/pages/consent`, { assessmentConsent: 'given', givenBy: 'parental_responsibility', givenByName: 'Kayleigh Dunne', shareConsent: 'given' }));
    const half = await ok(call('beth', 'post', `${base}/pages/parenting`, { answers: { basic_care: { strengths: 'Children fed, clean and warm', needs: '' }, emotional_warmth: { strengths: '', needs: 'Kayleigh feels low and is not going out' } } }));
    expect(half.status).toBe('draft');
    expect(half.answers.emotional_warmth.needs).toBe('Kayleigh feels low and is not going out');
    expect(half.sharingConsentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(half.assessmentConsentId).toMatch(/^[0-9a-f-]{36}$/);
    // Consent to share went through the consent service: the early help purpose, to the team's organisations.
    const consents = await ok(call('beth', 'get', `/api/v1/people/${reuben}/consents`));
    const recorded = (consents.consents ?? consents).find((c: { id: string }) => c.id === half.sharingConsentId);
    expect(recorded.purposes).toEqual(['early_help']);
    // So did consent to the assessment itself: a consent record of its own, for the assessing organisation.
    const toAssess = (consents.consents ?? consents).find((c: { id: string }) => c.id === half.assessmentConsentId);
    expect(toAssess).toMatchObject({ purposes: ['early_help'], decision: 'given' });
    expect(toAssess.notes).toMatch(/Consent to the early help assessment/);

    // Returning: the half-filled draft is resumed, not restarted.
    expect(await ok(call('beth', 'post', `/api/v1/people/${reuben}/early-help/assessments`), 201)).toMatchObject({ id: draft.id, resumed: true });
    const notYet = await call('beth', 'post', `${base}/complete`);
    expect(notYet.status).toBe(400);
    expect(Object.keys(notYet.body.error.fields).sort()).toEqual(['development.health-strengths', 'family.family_history-strengths', 'words.childWords', 'words.familyWords']);

    await ok(call('beth', 'post', `${base}/pages/development`, { answers: { health: { strengths: 'Meeting milestones', needs: 'Repeated chest infections' } } }));
    await ok(call('beth', 'post', `${base}/pages/family`, { answers: { housing_work_money: { strengths: '', needs: 'Both bedrooms damp; repairs not reported' } } }));
    await ok(call('beth', 'post', `${base}/pages/words`, { childWords: 'Reuben pointed to the mould and said "yucky"', familyWords: 'Kayleigh: "It would save me explaining everything to the midwife."' }));
    const done = await ok(call('beth', 'post', `${base}/complete`));
    expect(done).toMatchObject({ status: 'complete', version: 1, problems: [] });
    const locked = await call('beth', 'post', `${base}/pages/words`, { childWords: 'changed' });
    expect(locked.status).toBe(400);
    expect(locked.body.error.fields.form).toMatch(/locked/);
    // A new version starts from the completed one; version 1 stays as it was.
    const v2 = await ok(call('beth', 'post', `/api/v1/people/${reuben}/early-help/assessments`), 201);
    expect(v2.version).toBe(2);
    const v2body = await ok(call('beth', 'get', `/api/v1/people/${reuben}/early-help/assessments/${v2.id}`));
    expect(v2body.answers.health.needs).toBe('Repeated chest infections');

    // The plan: actions with owners in the team; the housing officer and the health visitor both see it.
    const repairs = await ok(call('beth', 'post', `/api/v1/people/${reuben}/early-help/actions`, { description: 'Arrange damp repairs to both bedrooms', ownerId: ids.housing, dueOn: day(-2) }), 201);
    await ok(call('beth', 'post', `/api/v1/people/${reuben}/early-help/actions`, { description: "Go with Kayleigh to the children's centre mother and baby club", ownerId: ids.beth, dueOn: day(10) }), 201);
    const notInTeam = await call('beth', 'post', `/api/v1/people/${reuben}/early-help/actions`, { description: 'Anything', ownerId: ids.police, dueOn: day(10) });
    expect(notInTeam.body.error.fields['body.ownerId']).toMatch(/team around the family/);
    for (const who of ['housing', 'hv'] as const) {
      const seen = await ok(call(who, 'get', `/api/v1/people/${reuben}/early-help`));
      expect(seen.actions).toHaveLength(2);
      expect(seen.lead.practitionerId).toBe(ids.beth);
    }
    const lead = await ok(call('beth', 'get', `/api/v1/people/${reuben}/early-help`));
    expect(lead.overdue.map((a: { id: string }) => a.id)).toEqual([repairs.id]);

    // Only the owner (or the lead professional) updates an action; the health visitor may not.
    expect((await call('hv', 'post', `/api/v1/people/${reuben}/early-help/actions/${repairs.id}`, { status: 'done' })).status).toBe(403);
    await ok(call('housing', 'post', `/api/v1/people/${reuben}/early-help/actions/${repairs.id}`, { status: 'done', progressNote: 'Repairs booked and done' }), 204);

    // A review links only a meeting that discussed the child: any other meeting id is a clear error, not a failure.
    const otherMeeting = await call('beth', 'post', `/api/v1/people/${reuben}/early-help/reviews`, { summary: 'x', meetingId: '0192f0c4-0000-7000-8000-000000000001' });
    expect(otherMeeting.status).toBe(400);
    expect(otherMeeting.body.error.fields['body.meetingId']).toMatch(/discussed this child/);
    // A review compares progress with the plan and sets the next one the interval on.
    const review = await ok(call('beth', 'post', `/api/v1/people/${reuben}/early-help/reviews`, { summary: 'Kayleigh happier; repairs done; attending the club' }), 201);
    expect(review.nextReviewDue).toBe(day(28));
    const after = await ok(call('beth', 'get', `/api/v1/people/${reuben}/early-help`));
    expect(after.reviews[0].progress).toMatchObject({ done: 1, onTrack: 1, overdue: 0, total: 2 });
    // Only the lead professional closes the plan.
    expect((await call('hv', 'post', `/api/v1/people/${reuben}/early-help/close`, { outcome: 'needs_met', summary: 'Done' })).status).toBe(403);

    // Stepping down to a universal service: the school's safeguarding team is involved and sees the history.
    expect((await call('mark', 'get', `/api/v1/people/${reuben}/early-help`)).status).toBe(403);
    const teams = await t.services.earlyHelp.stepTeams();
    const schoolTeam = teams.find((x) => x.organisationName === 'Hollin Lane Primary School')!;
    const socialTeam = teams.find((x) => x.social)!;
    const wrongWay = await call('beth', 'post', `/api/v1/people/${reuben}/early-help/close`, { outcome: 'stepped_down', summary: 'Universal support', steppedToTeamId: socialTeam.id });
    expect(wrongWay.body.error.fields['body.steppedToTeamId']).toMatch(/universal/);
    await ok(call('beth', 'post', `/api/v1/people/${reuben}/early-help/close`, { outcome: 'stepped_down', summary: 'Needs met; Reuben starts nursery at Hollin Lane, Kayleigh back at work part-time', steppedToTeamId: schoolTeam.id }), 204);
    const history = await ok(call('mark', 'get', `/api/v1/people/${reuben}/early-help`));
    expect(history.openCase).toBeNull();
    // Closing the plan ends the lead professional's role (the family's single point of contact for it).
    expect(history.lead).toBeNull();
    const leadRows = await t.services.database.query<{ end_date: string | null; end_reason: string | null }>("select end_date::text as end_date, end_reason from involvement where subject_id = $1 and role = 'lead_professional'", [reuben]);
    expect(leadRows).toEqual([{ end_date: expect.any(String), end_reason: 'The early help plan was closed' }]);
    expect((await audit('early-help.plan.closed', reuben)).at(-1)!.details.endedLeadInvolvementId).toEqual(expect.any(String));
    expect(history.cases[0]).toMatchObject({ status: 'closed', outcome: 'stepped_down', steppedToOrganisationName: 'Hollin Lane Primary School' });
    expect(history.assessments.map((a: { version: number }) => a.version).sort()).toEqual([1, 2]);
    expect(history.reviews).toHaveLength(1);
  });

  it('case 11: consent refused, an interagency hub meeting against the parent\'s wishes allocates a lead professional; contributions reach attendees only; actions reach task lists, reminders and the next meeting', async () => {
    const owen = await person('mark', 'Owen', 'Hartley', day(-12 * 365 - 100));
    await involve('mark', owen, 'designated_safeguarding_lead');
    await involve('beth', owen, 'family_support_worker');
    await ok(call('beth', 'post', `/api/v1/people/${owen}/early-help/plan`, { reason: 'Missing school to look after his mother', reviewIntervalDays: 42 }), 201);
    const draft = await ok(call('beth', 'post', `/api/v1/people/${owen}/early-help/assessments`), 201);
    const base = `/api/v1/people/${owen}/early-help/assessments/${draft.id}`;
    await ok(call('beth', 'post', `${base}/pages/consent`, { assessmentConsent: 'refused', givenBy: 'parental_responsibility', givenByName: 'Rhona Hartley', shareConsent: 'refused' }));
    await ok(call('beth', 'post', `${base}/pages/words`, { childWords: 'I need to help Mum. I am scared they will take me away.' }));
    const refused = await call('beth', 'post', `${base}/complete`);
    expect(refused.body.error.fields['consent.assessmentConsent']).toMatch(/refused the assessment/);
    // The refusal of the assessment is a decision too: kept as a consent record.
    const owenConsents = await ok(call('beth', 'get', `/api/v1/people/${owen}/consents`));
    expect((owenConsents.consents ?? owenConsents).filter((c: { decision: string; notes: string | null }) => c.decision === 'refused' && /^Consent to the early help assessment/.test(c.notes ?? ''))).toHaveLength(1);

    // A locality hub meeting under a legal basis that does not rest on consent.
    const noBasis = await call('mark', 'post', '/api/v1/meetings', { kind: 'locality_hub', title: 'North locality hub', heldOn: day(-1), legalBases: ['ca1989_s17'], attendeeIds: [] });
    expect(noBasis.body.error.fields['body.legalBases']).toMatch(/article 6/);
    const hub = await ok(call('mark', 'post', '/api/v1/meetings', { kind: 'locality_hub', title: 'North locality hub', heldOn: day(0), legalBases: ['gdpr_6_1_e', 'ca2004_s11'], attendeeIds: [ids.beth, ids.jade] }), 201);
    const item = await ok(call('mark', 'post', `/api/v1/meetings/${hub.id}/agenda`, { subjectId: owen, reason: 'Attendance falling; young carer; mother refuses help' }));
    await ok(call('mark', 'post', `/api/v1/meetings/${hub.id}/agenda/${item.id}/contributions`, { body: 'Attendance 71% this term; late most days; says he is needed at home' }));
    // The health visitor is not attending and works with nobody here: nothing about the meeting.
    expect((await call('hv', 'get', `/api/v1/meetings/${hub.id}`)).status).toBe(403);
    expect((await call('hv', 'post', `/api/v1/meetings/${hub.id}/agenda/${item.id}/contributions`, { body: 'x' })).status).toBe(403);

    const seen = await ok(call('jade', 'get', `/api/v1/meetings/${hub.id}`));
    expect(seen.agenda[0].person.name).toBe('Owen Hartley');
    expect(seen.agenda[0].contributions.map((c: { body: string }) => c.body)).toEqual(['Attendance 71% this term; late most days; says he is needed at home']);
    expect((await audit('meeting.contribution.read', owen)).some((e) => e.actor_user_id === ids.jade && e.outcome === 'success' && e.details.basis === 'meeting-attendee')).toBe(true);
    expect((await audit('meeting.contribution.share', owen)).at(-1)!.details.recipients).toEqual(expect.arrayContaining([ids.beth, ids.jade, ids.mark]));

    // Allocation: the hub names Jade as lead professional (the lead_professional involvement changes hands).
    await ok(call('mark', 'post', `/api/v1/meetings/${hub.id}/agenda/${item.id}/decision`, { decision: 'Early help: Jade to lead; adult social care to be asked to support Rhona', allocateToUserId: ids.jade }));
    const plan = await ok(call('jade', 'get', `/api/v1/people/${owen}/early-help`));
    expect(plan.lead.practitionerId).toBe(ids.jade);
    expect(plan.handovers[0]).toMatchObject({ toUserId: ids.jade, fromUserId: null });

    const act = await ok(call('jade', 'post', `/api/v1/meetings/${hub.id}/actions`, { agendaItemId: item.id, description: 'Check attendance with Owen every morning', ownerId: ids.mark, dueOn: day(-1) }));
    const notAttending = await call('jade', 'post', `/api/v1/meetings/${hub.id}/actions`, { agendaItemId: item.id, description: 'x', ownerId: ids.hv, dueOn: day(5) });
    expect(notAttending.body.error.fields['body.ownerId']).toMatch(/attending/);
    const tasks = await ok(call('mark', 'get', '/api/v1/early-help/tasks'));
    expect(tasks.personal.find((x: { id: string }) => x.id === act.id)).toMatchObject({ personName: 'Owen Hartley', overdue: true, meetingTitle: 'North locality hub' });

    // The reminder job: the owner and the lead professional are told once, not twice in a week.
    const first = await t.services.earlyHelp.remindOverdue(new Date(), { actor: { userId: null, label: 'job:test', organisationId: null, roles: [] }, context: {} });
    expect(first.reminded).toBeGreaterThanOrEqual(1);
    const second = await t.services.earlyHelp.remindOverdue(new Date(), { actor: { userId: null, label: 'job:test', organisationId: null, roles: [] }, context: {} });
    expect(second.reminded).toBe(0);
    const notes = await t.services.database.query<{ recipient_user_id: string }>("select recipient_user_id from notification where kind = 'early-help-action-overdue' and subject_id = $1", [owen]);
    expect(notes.map((n) => n.recipient_user_id).sort()).toEqual([ids.jade, ids.mark].sort());

    // The next hub reviews the action.
    const next = await ok(call('mark', 'post', '/api/v1/meetings', { kind: 'locality_hub', title: 'North locality hub', heldOn: day(13), legalBases: ['gdpr_6_1_e'], attendeeIds: [ids.jade], previousMeetingId: hub.id }), 201);
    const nextView = await ok(call('mark', 'get', `/api/v1/meetings/${next.id}`));
    expect(nextView.toReview.map((a: { id: string }) => a.id)).toContain(act.id);
    await ok(call('mark', 'post', `/api/v1/meetings/${next.id}/actions/${act.id}/review`, { subjectId: owen, status: 'done', progressNote: 'Attendance back to 95%' }));
    expect((await ok(call('mark', 'get', '/api/v1/early-help/tasks'))).personal.some((x: { id: string }) => x.id === act.id)).toBe(false);

    // A handover between lead professionals: Jade's involvement ends, Beth's starts, with the note.
    await ok(call('jade', 'post', `/api/v1/people/${owen}/early-help/lead-professional`, { userId: ids.beth, note: 'Beth already visits Rhona weekly' }), 204);
    const handed = await ok(call('beth', 'get', `/api/v1/people/${owen}/early-help`));
    expect(handed.lead.practitionerId).toBe(ids.beth);
    expect(handed.handovers.map((h: { fromUserId: string | null; toUserId: string }) => [h.fromUserId, h.toUserId])).toEqual(expect.arrayContaining([[ids.jade, ids.beth], [null, ids.jade]]));
    expect((await call('jade', 'post', `/api/v1/people/${owen}/early-help/close`, { outcome: 'needs_met', summary: 'x' })).status).toBe(403);
    // Stepping up: the social worker's team is involved and sees the whole history; the lead role ends.
    const sw = await t.services.repositories.users.findById(ids.sw);
    const swTeam = (await t.services.earlyHelp.stepTeams()).find((x) => x.social && sw!.teamIds.includes(x.id))!;
    expect((await call('sw', 'get', `/api/v1/people/${owen}/early-help`)).status).toBe(403);
    await ok(call('beth', 'post', `/api/v1/people/${owen}/early-help/close`, { outcome: 'stepped_up', summary: 'Rhona refused all help; Owen still missing school', steppedToTeamId: swTeam.id }), 204);
    const upstairs = await ok(call('sw', 'get', `/api/v1/people/${owen}/early-help`));
    expect(upstairs.cases[0]).toMatchObject({ status: 'closed', outcome: 'stepped_up' });
    expect(upstairs.handovers).toHaveLength(2);
    expect(upstairs.lead).toBeNull();
  });

  it('case 10 (standing in for case 18, which is not in the shared copy of the case studies): a MARAC shares contributions with attendees only; a host colleague not attending gets nothing, recorded', async () => {
    const dawn = await person('gp', 'Dawn', 'Pickering', '1988-02-14', 'female');
    await involve('gp', dawn, 'gp');
    await involve('police', dawn, 'police_officer');
    const marac = await ok(call('sw', 'post', '/api/v1/meetings', { kind: 'marac', title: 'Northbridge MARAC', heldOn: day(2), legalBases: ['gdpr_6_1_e', 'cda1998_s115', 'gdpr_9_2_g'], attendeeIds: [ids.police, ids.gp, ids.beth] }), 201);
    // The chair cannot put someone on the agenda they hold nothing about.
    expect((await call('sw', 'post', `/api/v1/meetings/${marac.id}/agenda`, { subjectId: dawn, reason: 'High risk' })).status).toBe(403);
    await involve('sw', dawn, 'key_worker');
    const item = await ok(call('sw', 'post', `/api/v1/meetings/${marac.id}/agenda`, { subjectId: dawn, reason: 'High-risk domestic abuse referral from the mental health worker' }));
    await ok(call('police', 'post', `/api/v1/meetings/${marac.id}/agenda/${item.id}/contributions`, { body: 'Two call-outs in six weeks; partner on a community order' }));
    await ok(call('gp', 'post', `/api/v1/meetings/${marac.id}/agenda/${item.id}/contributions`, { body: 'Fracture of the arm in March; discharged herself' }));
    // An attendee with no involvement of their own cannot contribute about her, but does receive.
    expect((await call('beth', 'post', `/api/v1/meetings/${marac.id}/agenda/${item.id}/contributions`, { body: 'x' })).status).toBe(403);
    expect((await ok(call('beth', 'get', `/api/v1/meetings/${marac.id}`))).agenda[0].contributions).toHaveLength(2);
    // The chair's manager (host organisation, not attending) sees the meeting but no case; the refusal is audited.
    const manager = await ok(call('tm', 'get', `/api/v1/meetings/${marac.id}`));
    expect(manager.agenda).toEqual([]);
    expect(manager.withheldCases).toBe(1);
    expect((await audit('meeting.contribution.read', dawn)).some((e) => e.actor_user_id === ids.tm && e.outcome === 'denied')).toBe(true);
    // Nor prepare a contribution: the refusal is recorded on her audit trail.
    expect((await call('tm', 'post', `/api/v1/meetings/${marac.id}/agenda/${item.id}/contributions`, { body: 'From the duty log' })).status).toBe(403);
    expect((await audit('meeting.contribution.share', dawn)).some((e) => e.actor_user_id === ids.tm && e.outcome === 'denied')).toBe(true);
    // Nor may they record a decision about a case they were not given.
    expect((await call('tm', 'post', `/api/v1/meetings/${marac.id}/agenda/${item.id}/decision`, { decision: 'Refer to the IDVA service' })).status).toBe(403);
    expect((await audit('meeting.decision', dawn)).at(-1)!.outcome).toBe('denied');
    // Anyone else: refused outright.
    expect((await call('probation', 'get', `/api/v1/meetings/${marac.id}`)).status).toBe(403);
  });

  it('a joint action group on anti-social behaviour: contributions prepared beforehand, actions with owners in their task lists, reviewed at the next meeting', async () => {
    const kyle = await person('police', 'Kyle', 'Brennan', day(-15 * 365 - 20));
    await involve('police', kyle, 'police_officer');
    await involve('housing', kyle, 'housing_officer');
    await involve('mark', kyle, 'designated_safeguarding_lead');
    const jag = await ok(call('police', 'post', '/api/v1/meetings', { kind: 'jag', title: 'Eastfield joint action group', heldOn: day(1), legalBases: ['gdpr_6_1_e', 'cda1998_s115'], attendeeIds: [ids.housing, ids.mark] }), 201);
    const item = await ok(call('police', 'post', `/api/v1/meetings/${jag.id}/agenda`, { subjectId: kyle, reason: 'Repeated anti-social behaviour on the Eastfield estate; neighbours afraid' }));
    const said = {
      police: 'Five ASB reports in two months: stones thrown at buses, abuse to residents',
      housing: 'Tenancy warning to the household; neighbours report noise late at night',
      mark: 'Excluded twice this term; responds well to the learning mentor',
    } as const;
    for (const who of ['police', 'housing', 'mark'] as const) await ok(call(who, 'post', `/api/v1/meetings/${jag.id}/agenda/${item.id}/contributions`, { body: said[who] }));
    // Each agency's contribution reaches the attendees only; anyone else is refused, and that is recorded.
    const seen = await ok(call('housing', 'get', `/api/v1/meetings/${jag.id}`));
    expect(seen.agenda[0].person.name).toBe('Kyle Brennan');
    expect(seen.agenda[0].contributions.map((c: { body: string }) => c.body).sort()).toEqual(Object.values(said).sort());
    expect((await call('sw', 'get', `/api/v1/meetings/${jag.id}`)).status).toBe(403);
    expect((await call('sw', 'post', `/api/v1/meetings/${jag.id}/agenda/${item.id}/contributions`, { body: 'x' })).status).toBe(403);

    await ok(call('police', 'post', `/api/v1/meetings/${jag.id}/agenda/${item.id}/decision`, { decision: 'Acceptable behaviour contract; referral to youth diversion; school mentoring continues' }));
    const letter = await ok(call('police', 'post', `/api/v1/meetings/${jag.id}/actions`, { agendaItemId: item.id, description: 'Agree an acceptable behaviour contract with Kyle and his mother', ownerId: ids.housing, dueOn: day(-1) }));
    const mentor = await ok(call('police', 'post', `/api/v1/meetings/${jag.id}/actions`, { agendaItemId: item.id, description: 'Weekly learning mentor sessions', ownerId: ids.mark, dueOn: day(20) }));
    for (const [who, action] of [['housing', letter], ['mark', mentor]] as const) {
      const tasks = await ok(call(who, 'get', '/api/v1/early-help/tasks'));
      expect(tasks.personal.find((x: { id: string }) => x.id === action.id)).toMatchObject({ personName: 'Kyle Brennan', meetingTitle: 'Eastfield joint action group' });
    }

    // Contributions are prepared beforehand: once the meeting is held, a late one is refused (and recorded).
    await ok(call('police', 'post', `/api/v1/meetings/${jag.id}/held`, { notes: 'All agencies present' }));
    const late = await call('housing', 'post', `/api/v1/meetings/${jag.id}/agenda/${item.id}/contributions`, { body: 'Forgot to say: a second warning was sent' });
    expect(late.status).toBe(400);
    expect(late.body.error.fields['body.body']).toMatch(/prepared beforehand/);
    expect((await audit('meeting.contribution.share', kyle)).at(-1)).toMatchObject({ actor_user_id: ids.housing, outcome: 'denied' });
    const heldView = await ok(call('housing', 'get', `/api/v1/meetings/${jag.id}`));
    expect(heldView.agenda[0].contributions).toHaveLength(3);
    expect(heldView.contributionsClosed).toMatch(/has been held/);

    // The next meeting reviews both actions; ids from another meeting are not found there.
    const next = await ok(call('police', 'post', '/api/v1/meetings', { kind: 'jag', title: 'Eastfield joint action group', heldOn: day(29), legalBases: ['gdpr_6_1_e', 'cda1998_s115'], attendeeIds: [ids.housing, ids.mark], previousMeetingId: jag.id }), 201);
    const nextView = await ok(call('police', 'get', `/api/v1/meetings/${next.id}`));
    expect(nextView.toReview.map((a: { id: string }) => a.id).sort()).toEqual([letter.id, mentor.id].sort());
    expect(nextView.toReview.every((a: { personName: string }) => a.personName === 'Kyle Brennan')).toBe(true);
    expect((await call('housing', 'post', `/api/v1/meetings/${next.id}/agenda/${item.id}/contributions`, { body: 'x' })).status).toBe(404);
    expect((await call('police', 'post', `/api/v1/meetings/${jag.id}/actions/${letter.id}/review`, { subjectId: kyle, status: 'done' })).status).toBe(400);
    await ok(call('housing', 'post', `/api/v1/meetings/${next.id}/actions/${letter.id}/review`, { subjectId: kyle, status: 'done', progressNote: 'Contract signed' }));
    await ok(call('police', 'post', `/api/v1/meetings/${next.id}/actions/${mentor.id}/review`, { subjectId: kyle, status: 'in_progress', progressNote: 'Three sessions so far' }));
    expect((await ok(call('housing', 'get', '/api/v1/early-help/tasks'))).personal.some((x: { id: string }) => x.id === letter.id)).toBe(false);
    expect((await ok(call('mark', 'get', '/api/v1/early-help/tasks'))).personal.find((x: { id: string }) => x.id === mentor.id)).toMatchObject({ status: 'in_progress' });
    expect((await audit('meeting.action.review', kyle)).map((e) => e.details.actionId).sort()).toEqual([letter.id, mentor.id].sort());
  });

  it('an area meeting holds an action plan and indicators over time, never individual cases', async () => {
    const area = await ok(call('jade', 'post', '/api/v1/meetings', { kind: 'area', title: 'North area management group', heldOn: day(-120), legalBases: ['gdpr_6_1_e'], attendeeIds: [ids.mark, ids.hv] }), 201);
    const someone = await person('jade', 'Tia', 'Marlow', day(-8 * 365));
    await involve('jade', someone, 'early_help_worker');
    const refused = await call('jade', 'post', `/api/v1/meetings/${area.id}/agenda`, { subjectId: someone, reason: 'x' });
    expect(refused.body.error.fields['body.subjectId']).toMatch(/does not discuss individual cases/);
    const ind = await ok(call('jade', 'post', `/api/v1/meetings/${area.id}/indicators`, { name: 'Early help assessments completed', unit: 'assessments', target: 40, higherIsBetter: true }));
    await ok(call('jade', 'post', `/api/v1/meetings/${area.id}/indicators/values`, { indicatorId: ind.id, periodEnd: day(-130), value: 22 }));
    const plan = await ok(call('jade', 'post', `/api/v1/meetings/${area.id}/actions`, { description: 'Agree a shared referral form with schools', ownerId: ids.mark, dueOn: day(-30) }));
    const next = await ok(call('mark', 'post', '/api/v1/meetings', { kind: 'area', title: 'North area management group', heldOn: day(0), legalBases: ['gdpr_6_1_e'], attendeeIds: [ids.jade], previousMeetingId: area.id }), 201);
    const bad = await call('mark', 'post', `/api/v1/meetings/${next.id}/indicators/values`, { indicatorId: ind.id, periodEnd: day(-10), value: 'many' });
    expect(bad.status).toBe(400);
    await ok(call('mark', 'post', `/api/v1/meetings/${next.id}/indicators/values`, { indicatorId: ind.id, periodEnd: day(-10), value: 31 }));
    const view = await ok(call('mark', 'get', `/api/v1/meetings/${next.id}`));
    expect(view.indicators[0].values.map((v: { value: number }) => v.value)).toEqual([22, 31]);
    expect(view.toReview.map((a: { id: string }) => a.id)).toEqual([plan.id]);
    expect((await ok(call('mark', 'get', '/api/v1/early-help/tasks'))).area.map((a: { id: string }) => a.id)).toContain(plan.id);
    await ok(call('mark', 'post', `/api/v1/meetings/${next.id}/actions/${plan.id}/review`, { status: 'done' }));
    expect((await ok(call('mark', 'get', '/api/v1/early-help/tasks'))).area.map((a: { id: string }) => a.id)).not.toContain(plan.id);
  });

  it('describes every early help and meeting route in the OpenAPI document', async () => {
    const doc = (await request(t.app).get('/api/openapi.json').expect(200)).body;
    for (const path of ['/api/v1/people/{id}/early-help', '/api/v1/people/{id}/early-help/assessments/{assessmentId}/pages/{page}', '/api/v1/early-help/tasks', '/api/v1/meetings/{id}/agenda/{itemId}/contributions', '/api/v1/meetings/{id}/indicators/values']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.components.schemas.EarlyHelpAssessment).toBeDefined();
  });

  it('the demo family has an open plan with an overdue action', async () => {
    const jaydon = await t.services.repositories.earlyHelp.subjectByIdentifier('nhs_number', '9990412065');
    const plan = await ok(call('beth', 'get', `/api/v1/people/${jaydon}/early-help`));
    expect(plan.openCase).not.toBeNull();
    expect(plan.overdue).toHaveLength(1);
    expect(plan.assessments[0].status).toBe('complete');
    const school = await ok(call('mark', 'get', '/api/v1/early-help/tasks'));
    expect(school.personal.find((a: { description: string }) => a.description === 'Refer Jaydon to the school counsellor')).toMatchObject({ personName: 'Jaydon Fletcher', overdue: true });
  });
});
