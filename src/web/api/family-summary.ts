import { z } from 'zod';
import type { ChronologyEntry, ChronologyMark } from '../../family-summary/types.ts';
import { WINDOW_CHOICES } from '../../family-summary/window.ts';
import { CASE_CATEGORIES, type DataCategory } from '../../policy/access-policy.ts';
import { SUMMARY_PURPOSES } from '../../policy/family-summary.ts';
import type { FamilySummary, SummaryTarget } from '../../services/family-summary-service.ts';
import type { Services } from '../../services/index.ts';
import { auditContext } from '../request-context.ts';
import type { ApiRegistry } from './registry.ts';
import { ErrorSchema } from './schemas.ts';

/** The family summary (issue 6): one view of a family across agencies, per viewer and purpose. */
export function registerFamilySummaryRoutes(registry: ApiRegistry, services: Services) {
  const category = z.enum(CASE_CATEGORIES as [DataCategory, ...DataCategory[]]);
  const summaryQuery = z.object({
    purpose: z.enum(SUMMARY_PURPOSES).optional().meta({ description: 'hub-meeting: education, social care, youth justice, housing and anti-social behaviour; health only with written consent or a decision to share. work-with-family (default): whatever the access policy allows you' }),
    reason: z.string().min(1).max(1000).meta({ description: 'Why you need the summary (audited on every person in it)' }),
    window: z.enum(WINDOW_CHOICES).optional().meta({ description: 'Years to cover, to today (default 5), or all' }),
  });
  const many = z.union([z.string(), z.array(z.string())]).optional();
  const chronologyQuery = summaryQuery.extend({
    agency: many.meta({ description: 'Organisation ids (repeat for several)' }),
    category: many.meta({ description: `Case categories: ${CASE_CATEGORIES.join(', ')}` }),
    person: many.meta({ description: 'People of the family (subject ids)' }),
    significant: z.enum(['true', 'false']).optional().meta({ description: 'Only entries marked significant' }),
  });
  const Mark = registry.component(
    'ChronologyMark',
    z.object({ id: z.uuid(), subjectId: z.uuid(), itemKey: z.string().nullable(), significant: z.boolean(), entryDate: z.iso.date(), analysis: z.string().nullable(), organisationName: z.string(), category, recordedByName: z.string(), recordedAt: z.iso.datetime() }),
  );
  const Entry = registry.component(
    'ChronologyEntry',
    z.object({
      key: z.string().meta({ description: 'feed:<organisation>:<kind>:<record id>, involvement:<id> or note:<id>' }),
      subjectId: z.uuid(),
      memberName: z.string(),
      source: z.enum(['feed', 'involvement', 'note']),
      kind: z.enum(['involvement', 'contact', 'event', 'note']),
      organisationId: z.uuid(),
      organisationName: z.string(),
      category,
      title: z.string(),
      description: z.string().nullable(),
      startDate: z.iso.date(),
      endDate: z.iso.date().nullable(),
      significant: z.boolean(),
      marks: z.array(Mark),
    }),
  );
  const HeldBy = z.object({
    subjectId: z.uuid(),
    memberName: z.string(),
    organisationId: z.uuid(),
    organisationName: z.string(),
    categories: z.array(category),
    reason: z.string(),
    contacts: z.array(z.object({ name: z.string(), email: z.string().nullable(), phone: z.string().nullable() })),
  });
  const Status = z.object({ subjectId: z.uuid(), code: z.string(), label: z.string(), current: z.boolean(), since: z.iso.date(), until: z.iso.date().nullable(), organisationName: z.string() });
  const Summary = registry.component(
    'FamilySummary',
    z.object({
      focusId: z.uuid(),
      purpose: z.enum(SUMMARY_PURPOSES),
      window: z.object({ choice: z.enum(WINDOW_CHOICES), from: z.iso.date().nullable(), to: z.iso.date() }),
      generatedAt: z.iso.datetime(),
      members: z.array(
        z.object({
          subjectId: z.uuid(),
          name: z.string(),
          relationToFocus: z.string().nullable(),
          dateOfBirth: z.iso.date().nullable(),
          dobPrecision: z.string(),
          basis: z.string().nullable(),
          shown: z.array(category).meta({ description: 'Case categories shown for this purpose' }),
          withheld: z.array(z.object({ category, reason: z.string() })),
        }),
      ),
      withheldMembers: z.array(z.object({ reason: z.string() })),
      familyWithheld: z.string().nullable(),
      statuses: z.array(Status),
      practitioners: z.array(
        z.object({ subjectId: z.uuid(), organisationName: z.string(), role: z.string(), name: z.string().nullable(), team: z.string().nullable(), email: z.string().nullable(), phone: z.string().nullable(), current: z.boolean(), startDate: z.iso.date(), endDate: z.iso.date().nullable() }),
      ),
      agencies: z.array(z.object({ subjectId: z.uuid(), organisationName: z.string(), category, involvements: z.number().int(), contacts: z.number().int(), events: z.number().int(), notes: z.number().int(), latest: z.iso.date() })),
      heldBy: z.array(HeldBy),
      newcomers: z
        .object({
          people: z.array(z.object({ subjectId: z.uuid(), name: z.string(), why: z.string() })),
          adults: z.array(z.object({ subjectId: z.uuid(), name: z.string(), isNew: z.boolean(), statuses: z.array(Status), history: z.array(Entry), more: z.number().int(), heldBy: z.array(HeldBy) })),
        })
        .nullable()
        .meta({ description: 'Someone new to the family (an unborn child, a new partner, someone who moved in or was recorded recently), and the history of the adults around them' }),
      significant: z.array(Entry).meta({ description: 'Entries marked significant' }),
      chronologyEntries: z.number().int(),
    }),
  );
  const markOut = (m: ChronologyMark) => ({ ...m, recordedAt: m.recordedAt.toISOString() });
  const entryOut = (e: ChronologyEntry) => ({
    key: e.key,
    subjectId: e.subjectId,
    memberName: e.memberName,
    source: e.source,
    kind: e.kind,
    organisationId: e.organisationId,
    organisationName: e.organisationName,
    category: e.category,
    title: e.title,
    description: e.description,
    startDate: e.startDate,
    endDate: e.endDate,
    significant: e.significant,
    marks: e.marks.map(markOut),
  });
  const strip = <T extends { itemKey: string }>({ itemKey: _k, ...rest }: T) => rest;
  const summaryOut = (s: FamilySummary) => ({
    focusId: s.focusId,
    purpose: s.profile.code,
    window: s.window,
    generatedAt: s.generatedAt.toISOString(),
    members: s.members.map((m) => ({
      subjectId: m.subjectId,
      name: m.name,
      relationToFocus: m.relationToFocus,
      dateOfBirth: m.dateOfBirth,
      dobPrecision: m.dobPrecision,
      basis: m.access?.basis ?? null,
      shown: m.access ? [...m.access.categories.keys()] : [],
      withheld: m.access?.withheld ?? [],
    })),
    withheldMembers: s.withheldMembers,
    familyWithheld: s.familyWithheld,
    statuses: s.statuses.map(strip),
    practitioners: s.practitioners.map(({ memberName: _n, ...p }) => p),
    agencies: s.agencies.map(({ memberName: _n, organisationId: _o, ...a }) => a),
    heldBy: s.heldBy,
    newcomers: s.newcomers && { people: s.newcomers.people, adults: s.newcomers.adults.map((a) => ({ ...a, statuses: a.statuses.map(strip), history: a.history.map(entryOut) })) },
    significant: s.chronology.filter((e) => e.significant).map(entryOut),
    chronologyEntries: s.chronology.length,
  });
  const errors = {
    400: { description: 'Invalid query', schema: ErrorSchema },
    403: { description: 'Not allowed', schema: ErrorSchema },
    404: { description: 'No such person or household', schema: ErrorSchema },
  };
  const targets: Array<{ path: string; kind: SummaryTarget['kind']; noun: string }> = [
    { path: 'people', kind: 'person', noun: "a person's family" },
    { path: 'households', kind: 'household', noun: 'a household' },
  ];
  const target = (kind: SummaryTarget['kind'], id: string): SummaryTarget => (kind === 'person' ? { kind, subjectId: id } : { kind, householdId: id });

  for (const t of targets) {
    registry.add({
      method: 'get',
      path: `/api/v1/family-summary/${t.path}/:id`,
      operationId: t.kind === 'person' ? 'familySummary' : 'householdSummary',
      summary: `The family summary of ${t.noun}`,
      description:
        'Who is in the family, key statuses, practitioners, each agency’s records over the window, the adults’ history around a newcomer, and which agencies hold more that you cannot see. Every person is decided by the access policy and audited.',
      tags: ['Family summary'],
      secured: true,
      request: { params: z.object({ id: z.uuid() }), query: summaryQuery },
      responses: { 200: { description: 'The summary', schema: Summary }, ...errors },
      handler: async ({ req, params, query }) => summaryOut(await services.summaries.summary(req.principal!, target(t.kind, params.id), query, auditContext(req))),
    });

    registry.add({
      method: 'get',
      path: `/api/v1/family-summary/${t.path}/:id/chronology`,
      operationId: t.kind === 'person' ? 'familyChronology' : 'householdChronology',
      summary: `Every record of ${t.noun} on one timeline, filtered`,
      tags: ['Family summary'],
      secured: true,
      request: { params: z.object({ id: z.uuid() }), query: chronologyQuery },
      responses: {
        200: { description: 'The chronology, oldest first', schema: z.object({ entries: z.array(Entry), analyses: z.array(Mark), heldBy: z.array(HeldBy) }) },
        ...errors,
      },
      handler: async ({ req, params, query }) => {
        const { summary, entries } = await services.summaries.chronology(req.principal!, target(t.kind, params.id), query, auditContext(req));
        return { entries: entries.map(entryOut), analyses: summary.analyses.map(markOut), heldBy: summary.heldBy };
      },
    });
  }

  registry.add({
    method: 'post',
    path: '/api/v1/family-summary/people/:id/chronology/marks',
    operationId: 'markChronology',
    summary: 'Mark an event significant and/or add your analysis (the worker-curated chronology)',
    description: 'Recorded as case content of your organisation about the person: you need to be allowed to change that category of their record, and an event you mark must be one you can see.',
    tags: ['Family summary'],
    secured: true,
    request: {
      params: z.object({ id: z.uuid().meta({ description: 'The person the mark or analysis is about' }) }),
      body: z.object({ itemKey: z.string().max(300).optional(), significant: z.boolean().optional(), analysis: z.string().max(5000).optional(), entryDate: z.iso.date().optional() }),
    },
    responses: { 201: { description: 'Recorded', schema: z.object({ id: z.uuid() }) }, ...errors },
    handler: async ({ req, params, body }) => ({ id: await services.summaries.mark(req.principal!, params.id, body, auditContext(req)) }),
  });
}
