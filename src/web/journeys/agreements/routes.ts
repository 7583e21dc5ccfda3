import { Router, type Response } from 'express';
import {
  agreementFilterSchema,
  createAgreementSchema,
  REVIEW_DUE_DAYS,
  type AgreementView,
} from '../../../services/agreement-service.ts';
import type { Services } from '../../../services/index.ts';
import { ValidationError, type Principal } from '../../../services/principal.ts';
import { escapeHtml, field, isValidationError } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { requireSignedIn } from '../../setup/authentication.ts';
import { urls } from '../../urls.ts';
import { categoryLabel, formatDate } from '../people/format.ts';
import {
  AGREEMENT_FIELDS,
  agreementFieldId,
  agreementFormValuesFrom,
  createAgreementInput,
  datePartsFrom,
  emptyAgreementForm,
  errorsFor,
  FormProblems,
  formFailure,
  type AgreementFormValues,
} from './validation.ts';
import type { DateParts } from '../people/validation.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const STATUS_LABELS: Record<string, string> = { draft: 'Draft', active: 'Active', suspended: 'Suspended', ended: 'Ended' };
const STATUS_TAGS: Record<string, string> = { draft: 'govuk-tag--blue', active: 'govuk-tag--green', suspended: 'govuk-tag--orange', ended: 'govuk-tag--grey' };
const HISTORY_LABELS: Record<string, string> = {
  create: 'Added to the register',
  sign: 'Signed',
  activate: 'Made active',
  suspend: 'Suspended',
  reinstate: 'Reinstated',
  end: 'Ended',
  review: 'Reviewed',
  'review.remind': 'Review reminder sent',
};

/** When the review is due, as a tag: overdue in red, due soon in yellow. */
function reviewTag(a: Pick<AgreementView, 'daysToReview' | 'status'>): { text: string; classes: string } | null {
  const d = a.daysToReview;
  if (a.status !== 'active' && a.status !== 'suspended') return null;
  if (d < 0) return { text: `Overdue by ${-d} day${d === -1 ? '' : 's'}`, classes: 'govuk-tag--red' };
  if (d === 0) return { text: 'Due today', classes: 'govuk-tag--red' };
  if (d <= REVIEW_DUE_DAYS) return { text: `${d} day${d === 1 ? '' : 's'} left`, classes: 'govuk-tag--yellow' };
  return null;
}

/** Plain-English wording for the agreement pages, given to the views as `fmt`. */
const fmt = {
  date: formatDate,
  status: (s: string) => STATUS_LABELS[s] ?? s,
  statusTag: (s: string) => STATUS_TAGS[s] ?? 'govuk-tag--grey',
  category: categoryLabel,
  reviewTag,
  history: (action: string) => HISTORY_LABELS[action] ?? action,
};

/** The register of information sharing agreements: everyone signed in reads it; IG leads of the parties manage each one. */
export function agreementRoutes(services: Services): Router {
  const router = Router();
  const { agreements } = services;

  router.use('/agreements', requireSignedIn, (_req, res, next) => {
    res.locals.fmt = fmt;
    next();
  });
  router.param('id', (_req, res, next, id: string) => {
    if (UUID.test(id)) return next();
    res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
  });

  const labels = async () => {
    const [purposes, legalBases, organisations] = await Promise.all([agreements.purposes(), agreements.legalBases(), agreements.organisations()]);
    return {
      purposes,
      legalBases,
      organisations,
      purposeLabel: Object.fromEntries(purposes.map((p) => [p.code, p.label])) as Record<string, string>,
      legalBasisLabel: Object.fromEntries(legalBases.map((b) => [b.code, b.label])) as Record<string, string>,
    };
  };

  // ----- the register -----

  router.get(urls.agreements.list(), async (req, res) => {
    const p = req.principal!;
    const raw = { organisationId: field(req.query, 'organisationId'), status: field(req.query, 'status'), reviewDue: field(req.query, 'reviewDue') };
    const parsed = agreementFilterSchema.safeParse(raw);
    const filter = parsed.success ? parsed.data : {};
    const [list, due, ref] = await Promise.all([agreements.list(p, filter), agreements.reviewsDue(p), labels()]);
    res.render('agreements/register.njk', {
      pageTitle: 'Information sharing agreements',
      agreements: list,
      due,
      values: raw,
      filtered: Boolean(raw.organisationId || raw.status || raw.reviewDue),
      canCreate: agreements.mayCreate(p),
      ...ref,
    });
  });

  // ----- add an agreement -----

  const renderNew = async (res: Response, p: Principal, values: AgreementFormValues, errors: object = {}, status = 200) => {
    res.status(status).render('agreements/new.njk', { pageTitle: 'Add an information sharing agreement', values, isAdmin: p.roles.includes('system_admin'), ...(await labels()), ...errors });
  };

  router.get(urls.agreements.new(), async (req, res) => {
    const p = req.principal!;
    await agreements.assertMayCreate(p, auditContext(req));
    const today = new Date().toISOString().slice(0, 10);
    await renderNew(res, p, emptyAgreementForm(today, p.roles.includes('ig_lead') ? p.organisationId : undefined));
  });

  router.post(urls.agreements.new(), async (req, res) => {
    const p = req.principal!;
    await agreements.assertMayCreate(p, auditContext(req));
    const values = agreementFormValuesFrom(req.body);
    const problems = new FormProblems();
    const input = createAgreementInput(values, problems);
    try {
      if (problems.any) throw formFailure(problems, createAgreementSchema, input);
      const { id } = await agreements.create(p, input, auditContext(req));
      req.session.flash = `${escapeHtml(values.reference.trim())} was added as a draft. Each party's information-governance lead now signs it for their organisation.`;
      res.redirect(urls.agreements.agreement(id));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      const partyFields = values.organisationIds.flatMap((id) => [`signatoryName-${id}`, `signatoryRole-${id}`]);
      const order = [...AGREEMENT_FIELDS.slice(0, 3), ...partyFields, ...AGREEMENT_FIELDS.slice(3)];
      await renderNew(res, p, values, errorsFor(err, order, problems, (k) => agreementFieldId(k, values.organisationIds)), 400);
    }
  });

  // ----- one agreement -----

  router.get('/agreements/:id', async (req, res) => {
    const p = req.principal!;
    const a = await agreements.get(p, req.params.id!);
    const [history, ref] = await Promise.all([agreements.history(p, a.id), labels()]);
    const manages = agreements.mayManage(p, a);
    const ownParty = a.parties.find((x) => x.organisationId === p.organisationId);
    res.render('agreements/agreement.njk', {
      pageTitle: a.title,
      a,
      history,
      manages,
      canSign: manages && a.status === 'draft' && ownParty !== undefined && ownParty.signedAt === null,
      canActivate: manages && a.status === 'draft' && a.allSigned,
      canReview: manages && (a.status === 'active' || a.status === 'suspended'),
      canChangeStatus: manages && a.status !== 'ended',
      ...ref,
    });
  });

  // ----- sign -----

  const renderSign = async (res: Response, a: AgreementView, p: Principal, values: { signatoryName: string; signatoryRole: string }, errors: object = {}, status = 200) => {
    res.status(status).render('agreements/sign.njk', { pageTitle: `Sign ${a.reference} for ${p.organisationName}`, a, values, ...(await labels()), ...errors });
  };

  router.get('/agreements/:id/sign', async (req, res) => {
    const p = req.principal!;
    const a = await agreements.forManager(p, req.params.id!, 'sign', auditContext(req));
    const planned = a.parties.find((x) => x.organisationId === p.organisationId);
    await renderSign(res, a, p, { signatoryName: planned?.signatoryName ?? p.displayName, signatoryRole: planned?.signatoryRole ?? '' });
  });

  router.post('/agreements/:id/sign', async (req, res) => {
    const p = req.principal!;
    const a = await agreements.forManager(p, req.params.id!, 'sign', auditContext(req));
    const values = { signatoryName: field(req.body, 'signatoryName'), signatoryRole: field(req.body, 'signatoryRole') };
    try {
      await agreements.sign(p, a.id, values, auditContext(req));
      req.session.flash = `You signed ${escapeHtml(a.reference)} for ${escapeHtml(p.organisationName)}`;
      res.redirect(urls.agreements.agreement(a.id));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await renderSign(res, a, p, values, errorsFor(err, ['signatoryName', 'signatoryRole'], undefined), 400);
    }
  });

  // ----- activate -----

  router.get('/agreements/:id/activate', async (req, res) => {
    const a = await agreements.forManager(req.principal!, req.params.id!, 'activate', auditContext(req));
    res.render('agreements/activate.njk', { pageTitle: `Make ${a.reference} active`, a });
  });

  router.post('/agreements/:id/activate', async (req, res) => {
    const p = req.principal!;
    const a = await agreements.forManager(p, req.params.id!, 'activate', auditContext(req));
    try {
      await agreements.activate(p, a.id, auditContext(req));
      req.session.flash = `${escapeHtml(a.reference)} is now active: shares between its parties for its purposes are covered`;
      res.redirect(urls.agreements.agreement(a.id));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      res.status(400).render('agreements/activate.njk', { pageTitle: `Make ${a.reference} active`, a, ...errorsFor(err, [], undefined) });
    }
  });

  // ----- change status -----

  const statusActions = (a: AgreementView) =>
    a.status === 'active' ? ['suspend', 'end'] : a.status === 'suspended' ? ['reinstate', 'end'] : a.status === 'draft' ? ['end'] : [];

  const renderStatus = (res: Response, a: AgreementView, values: { action: string; reason: string }, errors: object = {}, status = 200) => {
    res.status(status).render('agreements/status.njk', { pageTitle: `Change the status of ${a.reference}`, a, actions: statusActions(a), values, ...errors });
  };

  router.get('/agreements/:id/status', async (req, res) => {
    const a = await agreements.forManager(req.principal!, req.params.id!, 'status', auditContext(req));
    renderStatus(res, a, { action: '', reason: '' });
  });

  router.post('/agreements/:id/status', async (req, res) => {
    const p = req.principal!;
    const a = await agreements.forManager(p, req.params.id!, 'status', auditContext(req));
    const values = { action: field(req.body, 'action'), reason: field(req.body, 'reason') };
    try {
      const to = await agreements.changeStatus(p, a.id, { action: values.action || undefined, reason: values.reason }, auditContext(req));
      req.session.flash = `${escapeHtml(a.reference)} is now ${fmt.status(to).toLowerCase()}`;
      res.redirect(urls.agreements.agreement(a.id));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      renderStatus(res, a, values, errorsFor(err, ['action', 'reason'], undefined), 400);
    }
  });

  // ----- record a review -----

  const renderReview = (res: Response, a: AgreementView, values: { nextReviewDate: DateParts; summary: string }, errors: object = {}, status = 200) => {
    res.status(status).render('agreements/review.njk', { pageTitle: `Record a review of ${a.reference}`, a, values, ...errors });
  };

  router.get('/agreements/:id/review', async (req, res) => {
    const a = await agreements.forManager(req.principal!, req.params.id!, 'review', auditContext(req));
    renderReview(res, a, { nextReviewDate: { day: '', month: '', year: '' }, summary: '' });
  });

  router.post('/agreements/:id/review', async (req, res) => {
    const p = req.principal!;
    const a = await agreements.forManager(p, req.params.id!, 'review', auditContext(req));
    const values = { nextReviewDate: datePartsFrom(req.body, 'nextReviewDate'), summary: field(req.body, 'summary') };
    const problems = new FormProblems();
    const nextReviewDate = problems.date('nextReviewDate', values.nextReviewDate, 'The next review date');
    try {
      if (problems.any) {
        const fields: Record<string, string> = { ...problems.fields };
        if (values.summary.trim().length < 10) fields.summary = 'Say what the review found, in at least 10 characters';
        throw new ValidationError(fields);
      }
      await agreements.recordReview(p, a.id, { nextReviewDate, summary: values.summary }, auditContext(req));
      req.session.flash = `The review of ${escapeHtml(a.reference)} was recorded. The next review is due on ${escapeHtml(formatDate(nextReviewDate))}`;
      res.redirect(urls.agreements.agreement(a.id));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      renderReview(res, a, values, errorsFor(err, ['summary', 'nextReviewDate'], problems), 400);
    }
  });

  return router;
}
