import { Router, type Request, type Response } from 'express';
import { AccessDeniedError } from '../../../policy/policy-gate.ts';
import { consentSchema, withdrawSchema } from '../../../services/consent-service.ts';
import type { Services } from '../../../services/index.ts';
import { ValidationError } from '../../../services/principal.ts';
import type { PersonView } from '../../../services/person-service.ts';
import { capacityProblems, PURPOSES, SHAREABLE_CATEGORIES } from '../../../sharing/rules.ts';
import { escapeHtml, field, formErrors, isValidationError } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { requireSignedIn } from '../../setup/authentication.ts';
import { urls } from '../../urls.ts';
import { fmt } from '../people/format.ts';
import { datePartsOf, FormProblems } from '../people/validation.ts';
import { CAPACITY_CHOICES, GIVEN_BY_CHOICES, METHOD_CHOICES, sfmt } from '../sharing/labels.ts';
import { consentErrors, consentInput, consentValuesFrom, WITHDRAW_FIELDS, type ConsentFormValues } from './validation.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The path the consent form posts to (a multipart form: see setupMultipartForms in app.ts). */
export const CONSENT_UPLOAD_PATHS = [/^\/people\/[0-9a-f-]{36}\/consent\/new$/i];

function personName(view: PersonView | null): string | undefined {
  const n = view?.identity?.names.find((x) => x.kind === 'current') ?? view?.identity?.names[0];
  return n ? `${n.givenNames} ${n.familyName}` : undefined;
}

/** Consent to share about a person: its history, recording it (with evidence), and its withdrawal. */
export function consentRoutes(services: Services): Router {
  const router = Router();
  const { consents, people } = services;

  router.use('/people', requireSignedIn, (_req, res, next) => {
    res.locals.fmt = fmt;
    res.locals.sfmt = sfmt;
    next();
  });
  for (const param of ['id', 'cid']) {
    router.param(param, (_req, res, next, id: string) => {
      if (UUID.test(id)) return next();
      res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    });
  }

  /** The person's name for the caption, when the practitioner may see it (the read is audited like any other). */
  const nameOf = async (req: Request, purpose: string): Promise<string | undefined> => {
    try {
      return personName(await people.view(req.principal!, req.params.id as string, auditContext(req), { purpose }));
    } catch (err) {
      if (err instanceof AccessDeniedError) return undefined;
      throw err;
    }
  };

  const organisationsAndTypes = async () => {
    const [organisations, types] = await Promise.all([services.repositories.organisations.list(), services.repositories.organisations.types()]);
    return { organisations: organisations.filter((o) => o.active), types };
  };

  // ----- history -----

  router.get('/people/:id/consent', async (req, res) => {
    const id = req.params.id as string;
    const list = await consents.list(req.principal!, id, auditContext(req), 'see the consent history');
    const [{ organisations, types }, name] = await Promise.all([organisationsAndTypes(), nameOf(req, 'see the consent history')]);
    const orgName = new Map(organisations.map((o) => [o.id, o.name]));
    const typeLabel = new Map(types.map((t) => [t.code, t.label]));
    const withdrawers = [...new Set(list.map((c) => c.withdrawnBy).filter((u): u is string => Boolean(u)))];
    const staff = new Map((await Promise.all(withdrawers.map((u) => services.repositories.users.findById(u)))).filter((u) => u !== undefined).map((u) => [u.id, u.displayName]));
    const rows = list.map((c) => ({
      ...c,
      recipients: c.anyRecipient
        ? ['Any organisation in the partnership']
        : [...c.recipientOrganisationTypes.map((t) => `Any ${typeLabel.get(t) ?? t}`), ...c.recipientOrganisationIds.map((o) => orgName.get(o) ?? 'An organisation no longer recorded')],
      withdrawnByName: c.withdrawnBy ? (staff.get(c.withdrawnBy) ?? '') : '',
      canWithdraw: c.decision === 'given' && !c.withdrawnAt,
    }));
    res.render('consent/history.njk', { pageTitle: 'Consent to share', subjectId: id, name, consents: rows });
  });

  // ----- record -----

  const recordPage = async (req: Request, res: Response, view: { values: Partial<ConsentFormValues>; status?: number; errors?: object; errorList?: object[] }) => {
    const id = req.params.id as string;
    const [{ organisations, types }, name] = await Promise.all([organisationsAndTypes(), nameOf(req, 'record consent to share')]);
    res.status(view.status ?? 200).render('consent/new.njk', {
      pageTitle: 'Record consent to share',
      subjectId: id,
      name,
      organisations,
      types,
      purposes: PURPOSES.map((p) => ({ value: p, text: sfmt.purpose(p) })),
      categories: SHAREABLE_CATEGORIES.map((c) => ({ value: c, text: sfmt.category(c) })),
      givenByChoices: GIVEN_BY_CHOICES,
      capacityChoices: CAPACITY_CHOICES,
      methodChoices: METHOD_CHOICES,
      ...view,
    });
  };

  router.get('/people/:id/consent/new', async (req, res) => {
    await recordPage(req, res, { values: { validFrom: datePartsOf(new Date().toISOString().slice(0, 10)), purposes: [], categories: [], recipientOrganisationIds: [], recipientOrganisationTypes: [] } });
  });

  router.post('/people/:id/consent/new', async (req, res) => {
    const id = req.params.id as string;
    const uploads = req.uploads ?? [];
    const values = consentValuesFrom(req.body, uploads);
    const problems = new FormProblems();
    const input = consentInput(values, uploads, problems);
    try {
      if (problems.any) {
        // Nothing goes to the service; its rules still run over the rest so every problem shows at once.
        const standIn: Record<string, unknown> = { ...input };
        for (const k of Object.keys(problems.dateParts)) standIn[k] = '2000-01-01';
        const fields: Record<string, string> = {};
        const r = consentSchema.safeParse(standIn);
        if (!r.success) for (const issue of r.error.issues) fields[issue.path.map(String).join('.') || 'form'] ??= issue.message;
        else {
          // Without the person's age only the rules that do not depend on it can be run here.
          const { capacityReasoning, givenByName, capacityOutcome } = capacityProblems(r.data, null);
          Object.assign(fields, JSON.parse(JSON.stringify({ capacityReasoning, givenByName, capacityOutcome })));
        }
        throw new ValidationError({ ...fields, ...problems.fields });
      }
      const { id: consentId } = await consents.record(req.principal!, id, input, auditContext(req), { source: 'app' });
      req.session.flash = values.decision === 'refused' ? 'The refusal of consent was recorded' : `Consent was recorded${input.evidence ? ', with its evidence' : ''}`;
      res.redirect(`${urls.consent.history(id)}#consent-${consentId}`);
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await recordPage(req, res, { values, status: 400, ...consentErrors(err.fields, problems) });
    }
  });

  // ----- evidence -----

  router.get('/people/:id/consent/:cid/evidence', async (req, res) => {
    const f = await consents.evidence(req.principal!, req.params.id as string, req.params.cid as string, auditContext(req));
    const safeName = f.filename.replace(/[^\w.\- ]+/g, '_') || 'evidence';
    res.status(200).type(f.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${safeName}"`);
    res.setHeader('X-Content-SHA256', f.sha256);
    res.end(Buffer.from(f.content));
  });

  // ----- withdraw -----

  const withdrawPage = async (req: Request, res: Response, view: { values: Record<string, string>; status?: number; errors?: object; errorList?: object[] }) => {
    const id = req.params.id as string;
    const consent = await consents.get(req.principal!, id, req.params.cid as string, auditContext(req));
    if (consent.decision !== 'given' || consent.withdrawnAt) {
      return res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    }
    res.status(view.status ?? 200).render('consent/withdraw.njk', {
      pageTitle: 'Record that consent was withdrawn',
      subjectId: id,
      name: await nameOf(req, 'record withdrawal of consent'),
      consent,
      methodChoices: METHOD_CHOICES,
      ...view,
    });
  };

  router.get('/people/:id/consent/:cid/withdraw', async (req, res) => {
    await withdrawPage(req, res, { values: {} });
  });

  router.post('/people/:id/consent/:cid/withdraw', async (req, res) => {
    const id = req.params.id as string;
    const values = { reason: field(req.body, 'reason'), method: field(req.body, 'method') };
    try {
      const checked = withdrawSchema.safeParse({ reason: values.reason, method: values.method || undefined });
      if (!checked.success) {
        const fields: Record<string, string> = {};
        for (const issue of checked.error.issues) fields[issue.path.map(String).join('.') || 'form'] ??= issue.message;
        throw new ValidationError(fields);
      }
      await consents.withdraw(req.principal!, id, req.params.cid as string, checked.data, auditContext(req));
      req.session.flash = `The withdrawal of consent was recorded. It no longer covers any share from ${escapeHtml(new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }))}.`;
      res.redirect(`${urls.consent.history(id)}#consent-${req.params.cid as string}`);
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await withdrawPage(req, res, { values, status: 400, ...formErrors(err, WITHDRAW_FIELDS) });
    }
  });

  return router;
}
