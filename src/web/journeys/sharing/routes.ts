import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { mayApproveShare, mayReportOnSharing, type DataCategory } from '../../../policy/access-policy.ts';
import { requesterOf } from '../../../policy/policy-gate.ts';
import type { Services } from '../../../services/index.ts';
import { hasRole, ValidationError } from '../../../services/principal.ts';
import { SharingService, type RecordItem } from '../../../services/sharing-service.ts';
import { assessDecision, PURPOSES, type ConsentCoverage, type LegalBasisInfo } from '../../../sharing/rules.ts';
import { field, formErrors, isValidationError, type FormErrors } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { requireRole, requireSignedIn } from '../../setup/authentication.ts';
import { urls } from '../../urls.ts';
import { fmt } from '../people/format.ts';
import { datePartsFrom, isoFromParts } from '../people/validation.ts';
import { recipientDirectory, recipientOrganisationId, recipientText, type RecipientDirectory } from './directory.ts';
import {
  applicableSteps,
  applies,
  decisionInput,
  fieldId,
  fieldOf,
  firstUnanswered,
  isStep,
  nextStep,
  previousStep,
  sharing as sharesIn,
  STEP_TITLES,
  stepOfField,
  type ShareAnswers,
  type ShareDraft,
  type Step,
} from './draft.ts';
import { CONSENT_POSITION_CHOICES, LEGAL_BASIS_KINDS, NOT_SEEKING_CHOICES, sfmt } from './labels.ts';
import { outcomeChart } from './report-chart.ts';
import { readStep, STEP_FIELDS, type StepFacts } from './validation.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const today = () => new Date().toISOString().slice(0, 10);

/** Short names of the questions, for errors shown away from their page ("Legal bases: …"). */
const STEP_NAMES: Record<Step, string> = {
  purpose: 'Purpose',
  recipient: 'Recipient',
  identifies: 'Identifies someone',
  confidential: 'Confidential',
  consent: 'Consent',
  'not-sought': 'Why consent was not sought',
  risk: 'Risk of harm or public interest',
  decision: 'Decision',
  'legal-basis': 'Legal bases',
  'what-to-share': 'What to share',
  telling: 'Telling the person',
  urgency: 'Emergency or routine',
  'one-off': 'One-off share',
};

/** GOV.UK errors for a question page: service or page field names mapped to the page's element ids. */
function stepErrors(fields: Record<string, string>, step: Step): FormErrors {
  const mapped: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) mapped[fieldId(k)] ??= v;
  return formErrors(new ValidationError(mapped), STEP_FIELDS[step]);
}

/** A consent answer the records contradict: the rules' own message (assessDecision), asked about this one answer. */
function consentProblem(d: ShareDraft, position: ShareAnswers['consentPosition']): string | undefined {
  if (!d.coverage || !position) return undefined;
  const coverage: ConsentCoverage = { ...d.coverage, consentId: null, covered: d.coverage.covered as DataCategory[], notCovered: d.coverage.notCovered as DataCategory[] };
  const { errors } = assessDecision(
    {
      purpose: d.answers.purpose ?? '',
      purposeDetail: d.answers.purposeDetail ?? '',
      identifies: true,
      confidential: d.answers.confidential === 'yes',
      consentPosition: position,
      riskChild: false,
      riskAdult: false,
      publicInterest: false,
      legalBases: [],
      categories: [],
      personTold: 'told',
      outcome: 'share',
      reasons: '',
      emergency: false,
      routine: false,
      hasRecipient: true,
      itemCount: 1,
    },
    { coverage, legalBases: new Map(), agreement: null },
  );
  return errors.consentPosition;
}

/** Fields only the rules (assessDecision) report on: an earlier problem with one of them is dropped once the rules no longer find it. */
const RULE_ONLY_FIELDS = new Set(['purposeDetail', 'reasons', 'notToldReason', 'categories', 'minimumNecessary', 'withheld', 'consentPosition', 'notSeekingReason', 'notSeekingDetail', 'risk', 'riskDetail', 'legalBases', 'emergency', 'oneOffJustification']);

const itemKey = (i: { type: string; id: string | null }) => (i.id ? `${i.type}:${i.id}` : i.type);

/** "Should I share this?", the decisions, their approval, the managers' report, sharing history and subject access. */
export function sharingRoutes(services: Services): Router {
  const router = Router();
  const { sharing } = services;

  router.use(['/people', '/sharing'], requireSignedIn, (_req, res, next) => {
    res.locals.fmt = fmt;
    res.locals.sfmt = sfmt;
    next();
  });
  for (const param of ['id', 'sid', 'did']) {
    router.param(param, (_req, res, next, id: string) => {
      if (UUID.test(id)) return next();
      res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    });
  }

  const drafts = (req: Request) => (req.session.shareDrafts ??= {});
  const ctxOf = (req: Request) => auditContext(req);

  // ----- start -----

  router.get('/people/:id/share', async (req, res) => {
    const id = req.params.id as string;
    // Only someone who may pass on something of this record starts: the policy says so here, with its reason.
    const { items } = await sharing.shareable(req.principal!, id, ctxOf(req));
    const existing = drafts(req)[id];
    const name = items.find((i) => i.type === 'identity')?.label || 'this person';
    if (!existing) {
      drafts(req)[id] = { requestKey: crypto.randomUUID(), subjectName: name, answers: {}, answered: [], agreement: null, coverage: null, errors: {} };
    }
    const d = drafts(req)[id]!;
    res.render('sharing/start.njk', {
      pageTitle: 'Should I share this?',
      subjectId: id,
      name,
      resuming: Boolean(existing && existing.answered.length),
      next: firstUnanswered(d) ?? 'check',
    });
  });

  router.post('/people/:id/share/cancel', (req, res) => {
    const id = req.params.id as string;
    delete drafts(req)[id];
    if (field(req.body, 'restart') === 'yes') return res.redirect(urls.sharing.start(id));
    req.session.flash = 'Your answers were thrown away. Nothing was recorded or shared.';
    res.redirect(urls.people.person(id));
  });

  // ----- the questions -----

  /** Redirects when the draft is missing, or the question does not apply or comes after one still unanswered. */
  const guard = (req: Request, res: Response, step: Step | 'check'): ShareDraft | undefined => {
    const id = req.params.id as string;
    const d = drafts(req)[id];
    if (!d) {
      res.redirect(urls.sharing.start(id));
      return undefined;
    }
    const first = firstUnanswered(d);
    if (step === 'check') {
      if (first) {
        res.redirect(urls.sharing.step(id, first));
        return undefined;
      }
      return d;
    }
    const steps = applicableSteps(d);
    if (!applies(step, d) || (first && steps.indexOf(first) < steps.indexOf(step))) {
      res.redirect(first ? urls.sharing.step(id, first) : urls.sharing.check(id));
      return undefined;
    }
    return d;
  };

  const categoriesOf = (d: ShareDraft): DataCategory[] => [...new Set(['identity', ...(d.answers.categories ?? [])])] as DataCategory[];

  /** The consent records and agreements for the answers: audited as a check of consent. */
  const contextFor = async (req: Request, d: ShareDraft, dir: RecipientDirectory, categories: readonly string[]) =>
    sharing.context(req.principal!, req.params.id as string, { purpose: d.answers.purpose, recipientOrganisationId: recipientOrganisationId(d.answers, dir), categories: [...categories] }, ctxOf(req));

  const refreshAgreement = async (req: Request, d: ShareDraft, dir: RecipientDirectory) => {
    if (!sharesIn(d.answers) || !d.answered.includes('what-to-share') || !recipientOrganisationId(d.answers, dir)) {
      d.agreement = null;
      return;
    }
    const { agreement } = await contextFor(req, d, dir, categoriesOf(d));
    d.agreement = agreement ? { status: agreement.status, message: agreement.message } : null;
  };

  /** What the consent records say about the purpose and recipient, for everything the practitioner could share (kept for the later questions). */
  const refreshCoverage = async (req: Request, d: ShareDraft, dir: RecipientDirectory) => {
    const shareable = await sharing.shareable(req.principal!, req.params.id as string, ctxOf(req));
    const { coverage } = await contextFor(req, d, dir, shareable.categories.length ? shareable.categories : ['identity']);
    d.coverage = { position: coverage.position, covered: coverage.covered, notCovered: coverage.notCovered, messages: coverage.messages };
    return coverage;
  };

  const legalBasisGroups = (bases: Array<LegalBasisInfo & { description: string }>) =>
    LEGAL_BASIS_KINDS.map((k) => ({ ...k, bases: bases.filter((b) => b.kind === k.kind) })).filter((g) => g.bases.length);

  /** Items to choose from, grouped by kind, with whether the consent on record covers each kind. */
  const itemGroups = (items: RecordItem[], d: ShareDraft) => {
    const covered = d.answers.consentPosition === 'given' && d.coverage ? new Set(d.coverage.covered) : null;
    const groups = new Map<string, Array<RecordItem & { key: string; consent: string | null }>>();
    for (const i of items) {
      if (i.type === 'identity') continue;
      const list = groups.get(i.category) ?? [];
      list.push({ ...i, key: itemKey(i), consent: covered ? (covered.has(i.category) ? 'Consent covers this' : 'Consent does not cover this') : null });
      groups.set(i.category, list);
    }
    return [...groups.entries()].map(([category, list]) => ({ category, label: sfmt.category(category), items: list }));
  };

  const renderStep = async (req: Request, res: Response, d: ShareDraft, step: Step, view: { values: Record<string, unknown>; status?: number } & Partial<FormErrors>) => {
    const id = req.params.id as string;
    const p = req.principal!;
    const change = field(req.query, 'change') === 'yes' || field(req.body, 'change') === 'yes';
    const data: Record<string, unknown> = {};
    if (step === 'purpose') {
      data.purposes = (await sharing.referenceData()).purposes.filter((x) => (PURPOSES as readonly string[]).includes(x.code));
    } else if (step === 'recipient') {
      data.directory = await recipientDirectory(services);
    } else if (step === 'consent') {
      const dir = await recipientDirectory(services);
      const coverage = await refreshCoverage(req, d, dir);
      data.coverage = coverage;
      data.recipient = recipientText(d.answers, dir);
      data.choices = CONSENT_POSITION_CHOICES.filter((c) => c !== 'not_needed' || d.answers.confidential === 'no');
      // Filled in from the consent records until the practitioner answers.
      if (!d.answered.includes('consent') && view.values.consentPosition === undefined && coverage.position !== 'none') {
        view.values = { ...view.values, consentPosition: coverage.position, prefilled: true };
      }
    } else if (step === 'not-sought') {
      data.reasons = NOT_SEEKING_CHOICES;
    } else if (step === 'legal-basis') {
      data.groups = legalBasisGroups((await sharing.referenceData()).legalBases);
    } else if (step === 'what-to-share') {
      const shareable = await sharing.shareable(p, id, ctxOf(req));
      data.identity = shareable.items.find((i) => i.type === 'identity');
      data.groups = itemGroups(shareable.items, d);
      data.withheld = shareable.withheld;
    } else if (step === 'one-off') {
      data.agreement = d.agreement;
    }
    const back = previousStep(d, step);
    res.status(view.status ?? 200).render(`sharing/step-${step}.njk`, {
      pageTitle: STEP_TITLES[step],
      subjectId: id,
      name: d.subjectName,
      step,
      answers: d.answers,
      change,
      action: urls.sharing.step(id, step, change ? { change: 'yes' } : undefined),
      backHref: change ? urls.sharing.check(id) : back ? urls.sharing.step(id, back) : urls.sharing.start(id),
      ...data,
      ...view,
    });
  };

  // The check page and cancelling come before the question pages' ":step".
  router.get('/people/:id/share/check', async (req, res) => {
    const d = guard(req, res, 'check');
    if (!d) return;
    await renderCheck(req, res, d, {});
  });

  router.post('/people/:id/share/check', async (req, res) => {
    const d = guard(req, res, 'check');
    if (!d) return;
    const id = req.params.id as string;
    const p = req.principal!;
    try {
      const r = await sharing.decide(p, id, decisionInput(d), ctxOf(req), { requestKey: `web:${p.userId}:${d.requestKey}` });
      delete drafts(req)[id];
      if (r.flags.length) req.session.shareFlags = { [r.id]: r.flags };
      res.redirect(urls.sharing.confirmation(id, r.id));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      d.errors = err.fields;
      await renderCheck(req, res, d, { status: 400 });
    }
  });

  router.get('/people/:id/share/:step', async (req, res) => {
    const step = req.params.step as string;
    if (!isStep(step)) return res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    const d = guard(req, res, step);
    if (!d) return;
    const pending = Object.fromEntries(Object.entries(d.errors).filter(([k]) => stepOfField(k) === step));
    await renderStep(req, res, d, step, { values: { ...d.answers }, ...(Object.keys(pending).length ? stepErrors(pending, step) : {}) });
  });

  router.post('/people/:id/share/:step', async (req, res) => {
    const step = req.params.step as string;
    if (!isStep(step)) return res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    const d = guard(req, res, step);
    if (!d) return;
    const id = req.params.id as string;
    const p = req.principal!;
    const change = field(req.body, 'change') === 'yes';
    const facts: StepFacts = { previous: d.answers, today: today() };
    const dir = await recipientDirectory(services);
    let shareable: Awaited<ReturnType<SharingService['shareable']>> | undefined;
    if (step === 'recipient') {
      facts.recipients = {
        organisations: new Set(dir.organisations.map((o) => o.id)),
        teams: new Set(dir.teams.map((t) => t.id)),
        practitioners: new Set(dir.practitioners.map((u) => u.id)),
      };
    } else if (step === 'legal-basis') {
      facts.legalBases = new Map((await sharing.referenceData()).legalBases.map((b) => [b.code, b]));
    } else if (step === 'what-to-share') {
      shareable = await sharing.shareable(p, id, ctxOf(req));
      facts.itemKeys = new Set(shareable.items.filter((i) => i.type !== 'identity').map(itemKey));
    }
    const r = readStep(step, req.body, facts);
    if (step === 'consent' && !d.coverage) await refreshCoverage(req, d, dir);
    if (step === 'consent' && !r.errors.consentPosition) {
      const problem = consentProblem(d, r.answers.consentPosition);
      if (problem) r.errors.consentPosition = problem;
    }
    if (Object.keys(r.errors).length) {
      return renderStep(req, res, d, step, { values: { ...d.answers, ...r.answers }, status: 400, ...stepErrors(r.errors, step) });
    }
    const before = { ...d.answers };
    Object.assign(d.answers, r.answers);
    if (shareable) {
      const chosen = new Set(d.answers.items ?? []);
      d.answers.categories = [...new Set(shareable.items.filter((i) => chosen.has(itemKey(i))).map((i) => i.category))];
    }
    if (!d.answered.includes(step)) d.answered.push(step);
    for (const k of Object.keys(d.errors)) if (stepOfField(k) === step) delete d.errors[k];
    // Consent covers a purpose and a recipient: when either changes, the consent question is asked again.
    const recipientChanged = step === 'recipient' && recipientOrganisationId(before, dir) !== recipientOrganisationId(d.answers, dir);
    if ((step === 'purpose' && before.purpose !== d.answers.purpose) || recipientChanged) {
      d.answered = d.answered.filter((s) => s !== 'consent');
      d.coverage = null;
    }
    if (['purpose', 'recipient', 'decision', 'what-to-share'].includes(step)) await refreshAgreement(req, d, dir);
    const next = nextStep(d, step, change);
    res.redirect(next === 'check' ? urls.sharing.check(id) : urls.sharing.step(id, next, change ? { change: 'yes' } : undefined));
  });

  // ----- check your answers -----

  const renderCheck = async (req: Request, res: Response, d: ShareDraft, view: { status?: number }) => {
    const id = req.params.id as string;
    const p = req.principal!;
    const a = d.answers;
    const [dir, ref, shareable] = await Promise.all([recipientDirectory(services), sharing.referenceData(), sharing.shareable(p, id, ctxOf(req))]);
    const categories = sharesIn(a) ? categoriesOf(d) : ['identity'];
    const context = await contextFor(req, d, dir, categories);
    const legalBases = new Map(ref.legalBases.map((b) => [b.code, b]));
    const input = decisionInput(d);
    const assessment = assessDecision(
      {
        purpose: a.purpose ?? '',
        purposeDetail: a.purposeDetail ?? '',
        identifies: a.identifies === 'yes',
        confidential: input.confidential === 'yes',
        consentPosition: input.consentPosition as ShareAnswers['consentPosition'] & string,
        notSeekingReason: input.notSeekingReason as 'unsafe' | undefined,
        notSeekingDetail: input.notSeekingDetail as string | undefined,
        riskChild: Boolean(input.riskChild),
        riskAdult: Boolean(input.riskAdult),
        publicInterest: Boolean(input.publicInterest),
        riskDetail: input.riskDetail as string | undefined,
        legalBases: input.legalBases as string[],
        categories: categories as DataCategory[],
        minimumNecessary: input.minimumNecessary as string | undefined,
        withheld: input.withheld as string | undefined,
        personTold: a.personTold ?? 'told',
        notToldReason: input.notToldReason as string | undefined,
        outcome: a.outcome ?? 'not_share',
        reasons: a.reasons ?? '',
        emergency: Boolean(input.emergency),
        routine: Boolean(input.routine),
        oneOffJustification: input.oneOffJustification as string | undefined,
        hasRecipient: Boolean(recipientOrganisationId(a, dir)),
        itemCount: (a.items ?? []).length,
      },
      { coverage: context.coverage, legalBases, agreement: context.agreement },
    );
    // Problems found when the decision was last submitted, as far as they still hold for the answers now.
    for (const k of Object.keys(d.errors)) {
      const f = fieldOf(k);
      const s = stepOfField(k);
      const stillFlagged = f in assessment.errors;
      if ((s && !applies(s, d) && !stillFlagged) || (RULE_ONLY_FIELDS.has(f) && !stillFlagged)) delete d.errors[k];
    }
    const itemByKey = new Map(shareable.items.map((i) => [itemKey(i), i]));
    const chosenItems = sharesIn(a) ? [shareable.items.find((i) => i.type === 'identity'), ...(a.items ?? []).map((k) => itemByKey.get(k))].filter((i): i is RecordItem => Boolean(i)) : [];
    const errorsByStep = new Map<Step | 'form', string[]>();
    for (const [k, v] of Object.entries(d.errors)) {
      const s = stepOfField(k) ?? 'form';
      errorsByStep.set(s, [...(errorsByStep.get(s) ?? []), v]);
    }
    const errorList = [...errorsByStep.entries()].flatMap(([s, msgs]) =>
      msgs.map((m) => (s !== 'form' && applies(s, d) ? { text: `${STEP_NAMES[s]}: ${m}`, href: `#check-${s}` } : { text: s === 'form' ? m : `${STEP_NAMES[s]}: ${m}` })),
    );
    res.status(view.status ?? 200).render('sharing/check.njk', {
      pageTitle: 'Check your answers before recording the decision',
      subjectId: id,
      name: d.subjectName,
      a,
      steps: applicableSteps(d),
      stepErrors: Object.fromEntries(errorsByStep),
      errorList,
      recipient: recipientText(a, dir),
      coverage: context.coverage,
      agreement: context.agreement,
      legalBases: (a.legalBases ?? []).map((c) => legalBases.get(c)?.label ?? c),
      chosenItems,
      shares: sharesIn(a),
      assessment,
      emergency: Boolean(input.emergency),
      recipientInPartnership: Boolean(recipientOrganisationId(a, dir)),
      stepTitles: STEP_TITLES,
      stepNames: STEP_NAMES,
      notSeeking: NOT_SEEKING_CHOICES,
    });
  };

  // ----- the decision: what happened, its detail and its approval -----

  router.get('/sharing/decisions/:sid/:did/confirmation', async (req, res) => {
    const d = await sharing.decision(req.principal!, req.params.sid as string, req.params.did as string, ctxOf(req));
    const flags = req.session.shareFlags?.[d.id] ?? [];
    delete req.session.shareFlags;
    res.render('sharing/confirmation.njk', { pageTitle: confirmationTitle(d), d, flags, subjectId: d.subjectId });
  });

  const decisionPage = async (req: Request, res: Response, view: { values?: Record<string, string>; status?: number } & Partial<FormErrors>) => {
    const p = req.principal!;
    const d = await sharing.decision(p, req.params.sid as string, req.params.did as string, ctxOf(req));
    const ref = await sharing.referenceData();
    const labels = new Map(ref.legalBases.map((b) => [b.code, b.label]));
    const canSettle = d.approvalStatus === 'pending' && mayApproveShare(requesterOf(p), d).allow;
    // The sender, or a manager or the IG lead of the sending organisation, can withdraw the recipient's access.
    const canRevoke = Boolean(d.disclosureId) && d.status === 'shared' && (d.decidedBy === p.userId || mayReportOnSharing(requesterOf(p), d.organisationId).allow);
    res.status(view.status ?? 200).render('sharing/decision.njk', {
      pageTitle: 'Sharing decision',
      d,
      legalBases: d.legalBases.map((c) => labels.get(c) ?? c),
      canSettle,
      canRevoke,
      waited: d.approvalRequestedAt ? sfmt.duration(Date.now() - d.approvalRequestedAt.getTime()) : null,
      values: view.values ?? {},
      ...view,
    });
  };

  router.get('/sharing/decisions/:sid/:did', async (req, res) => {
    await decisionPage(req, res, {});
  });

  router.post('/sharing/decisions/:sid/:did/approval', async (req, res) => {
    const values = { decision: field(req.body, 'decision'), note: field(req.body, 'note') };
    try {
      const r = await sharing.settle(req.principal!, req.params.sid as string, req.params.did as string, { decision: values.decision || undefined, note: values.note }, ctxOf(req));
      req.session.flash = r.status === 'shared' ? 'You approved the decision. What was chosen has been sent, and the practitioner has been told.' : 'You declined the decision. Nothing more will be sent, and the practitioner has been told.';
      res.redirect(urls.sharing.approvals());
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await decisionPage(req, res, { values, status: 400, ...formErrors(err, ['decision', 'note']) });
    }
  });

  router.post('/sharing/decisions/:sid/:did/revoke', async (req, res) => {
    const values = { reason: field(req.body, 'reason') };
    const p = req.principal!;
    const d = await sharing.decision(p, req.params.sid as string, req.params.did as string, ctxOf(req));
    try {
      if (!d.disclosureId) throw new ValidationError({ reason: 'Nothing was sent, so there is no access to withdraw' });
      await sharing.revoke(p, d.subjectId, d.disclosureId, { reason: values.reason }, ctxOf(req));
      req.session.flash = 'The recipient can no longer see what was shared, and they have been told.';
      res.redirect(urls.sharing.decision(d.subjectId, d.id));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      const e = err as ValidationError;
      if (e.fields.form) e.fields.reason = e.fields.form;
      await decisionPage(req, res, { values, status: 400, ...formErrors(e, ['reason']) });
    }
  });

  // ----- approvals (team managers) -----

  router.get('/sharing/approvals', requireRole(services, 'team_manager'), async (req, res) => {
    const pending = await sharing.approvals(req.principal!, ctxOf(req));
    const now = Date.now();
    const rows = pending.map((d) => {
      const since = d.approvalRequestedAt ?? d.createdAt;
      const waitedMs = now - since.getTime();
      const interval = d.emergency ? 60 * 60_000 : 24 * 60 * 60_000;
      return { ...d, since, waited: sfmt.duration(waitedMs), waitedMs, overdue: waitedMs > interval, clock: clockFace(waitedMs, d.emergency) };
    });
    res.render('sharing/approvals.njk', { pageTitle: 'Decisions waiting for your approval', rows });
  });

  // ----- report (team managers and the IG lead) -----

  const REPORT_FILTERS = ['withConsent', 'override', 'approvalStatus', 'outcome', 'emergency'] as const;
  const reportFilter = (q: unknown) => {
    const values: Record<string, string> = {};
    for (const k of REPORT_FILTERS) values[k] = field(q, k);
    const from = datePartsFrom(q, 'from');
    const to = datePartsFrom(q, 'to');
    const errors: Record<string, string> = {};
    const fromIso = isoFromParts(from, 'The start date');
    const toIso = isoFromParts(to, 'The end date');
    if (!fromIso.ok) errors.from = fromIso.message;
    if (!toIso.ok) errors.to = toIso.message;
    if (fromIso.ok && toIso.ok && fromIso.value && toIso.value && toIso.value < fromIso.value) errors.to = 'The end date must be on or after the start date';
    const input = { ...values, from: fromIso.ok ? fromIso.value : undefined, to: toIso.ok ? toIso.value : undefined };
    const query: Record<string, string | undefined> = { ...values };
    for (const [k, parts] of [['from', from], ['to', to]] as const) for (const [part, v] of Object.entries(parts)) query[`${k}-${part}`] = v || undefined;
    return { values: { ...values, from, to }, input, errors, query, parts: { from: fromIso.ok ? undefined : fromIso.part, to: toIso.ok ? undefined : toIso.part } };
  };

  router.get('/sharing/report.csv', requireRole(services, 'team_manager', 'ig_lead'), async (req, res) => {
    const f = reportFilter(req.query);
    if (Object.keys(f.errors).length) throw new ValidationError(f.errors);
    const rows = await sharing.report(req.principal!, f.input, ctxOf(req));
    res.status(200).type('text/csv').setHeader('Content-Disposition', `attachment; filename="sharing-decisions-${today()}.csv"`);
    res.send(SharingService.reportCsv(rows));
  });

  router.get('/sharing/report', requireRole(services, 'team_manager', 'ig_lead'), async (req, res) => {
    const f = reportFilter(req.query);
    const page = { pageTitle: 'Sharing decisions', values: f.values, query: f.query };
    try {
      if (Object.keys(f.errors).length) throw new ValidationError(f.errors);
      const rows = await sharing.report(req.principal!, f.input, ctxOf(req));
      res.render('sharing/report.njk', { ...page, rows, chart: outcomeChart(rows), csvHref: urls.sharing.reportCsv(f.query) });
    } catch (err) {
      if (!isValidationError(err)) throw err;
      const out = formErrors(err, [...REPORT_FILTERS, 'from', 'to']);
      out.errorList = out.errorList.map((e) => (e.href === '#from' || e.href === '#to' ? { ...e, href: `${e.href}-${f.parts[e.href.slice(1) as 'from' | 'to'] ?? 'day'}` } : e));
      res.status(400).render('sharing/report.njk', { ...page, rows: [], ...out });
    }
  });

  // ----- the person's sharing history and subject access -----

  router.get('/people/:id/sharing-history', async (req, res) => {
    const id = req.params.id as string;
    const h = await sharing.history(req.principal!, id, ctxOf(req));
    const ref = await sharing.referenceData();
    const labels = new Map(ref.legalBases.map((b) => [b.code, b.label]));
    res.render('sharing/history.njk', {
      pageTitle: 'Sharing history',
      subjectId: id,
      decisions: h.decisions.map((d) => ({ ...d, legalBaseLabels: d.legalBases.map((c) => labels.get(c) ?? c) })),
      disclosures: h.disclosures,
      consents: h.consents,
      canExport: hasRole(req.principal, 'ig_lead'),
    });
  });

  const subjectAccessPage = (req: Request, res: Response, view: { values: Record<string, string>; status?: number } & Partial<FormErrors>) => {
    res.status(view.status ?? 200).render('sharing/subject-access.njk', { pageTitle: 'Export everything held for a subject access request', subjectId: req.params.id, ...view });
  };

  router.get('/people/:id/subject-access', requireRole(services, 'ig_lead'), (req, res) => {
    subjectAccessPage(req, res, { values: {} });
  });

  router.post('/people/:id/subject-access', requireRole(services, 'ig_lead'), async (req, res) => {
    const values = { reference: field(req.body, 'reference') };
    try {
      const data = await sharing.subjectAccess(req.principal!, req.params.id as string, values, ctxOf(req));
      const safeRef = values.reference.trim().replace(/[^\w.-]+/g, '_').slice(0, 80);
      res.status(200).type('application/json').setHeader('Content-Disposition', `attachment; filename="subject-access-${safeRef}.json"`);
      res.send(JSON.stringify(data, null, 2));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      subjectAccessPage(req, res, { values, status: 400, ...formErrors(err, ['reference']) });
    }
  });

  return router;
}

function confirmationTitle(d: { status: string; approvalRequired: boolean }): string {
  if (d.status === 'recorded') return 'Decision not to share recorded';
  if (d.status === 'awaiting_approval') return 'Decision recorded: waiting for a manager’s approval';
  if (d.status === 'shared' && d.approvalRequired) return 'Emergency share sent: approval requested';
  if (d.status === 'declined') return 'Decision declined';
  return 'Information shared';
}

/**
 * A small clock face for the approvals list: the hand shows how far through its reminder interval
 * (an hour for an emergency, a day otherwise) a decision has waited, red once past it. Drawn with
 * SVG presentation attributes only (the CSP allows no inline style); hidden from assistive
 * technology, which reads the time waited in words beside it.
 */
function clockFace(waitedMs: number, emergency: boolean): string {
  const interval = emergency ? 60 * 60_000 : 24 * 60 * 60_000;
  const fraction = Math.min(waitedMs / interval, 1);
  const angle = fraction * 2 * Math.PI;
  const x = 12 + 8 * Math.sin(angle);
  const y = 12 - 8 * Math.cos(angle);
  const late = waitedMs > interval;
  const colour = late ? '#d4351c' : '#0b0c0c';
  const large = fraction > 0.5 ? 1 : 0;
  const sector = fraction >= 1 ? '<circle cx="12" cy="12" r="10" fill="#f4c7c1"/>' : fraction > 0 ? `<path d="M12 12 L12 2 A10 10 0 ${large} 1 ${(12 + 10 * Math.sin(angle)).toFixed(2)} ${(12 - 10 * Math.cos(angle)).toFixed(2)} Z" fill="${late ? '#f4c7c1' : '#bbd4ea'}"/>` : '';
  return `<svg class="ta-clock" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="10" fill="#ffffff" stroke="${colour}" stroke-width="2"/>${sector}<line x1="12" y1="12" x2="${x.toFixed(2)}" y2="${y.toFixed(2)}" stroke="${colour}" stroke-width="2" stroke-linecap="round"/><circle cx="12" cy="12" r="1.5" fill="${colour}"/></svg>`;
}
