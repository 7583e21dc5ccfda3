import { Router, type Request, type Response } from 'express';
import type { Services } from '../../../services/index.ts';
import { escapeHtml, formErrors, isValidationError } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { requireRole, requireSignedIn } from '../../setup/authentication.ts';
import { urls } from '../../urls.ts';
import { organisationFormSchema, practitionerFilterSchema } from './validation.ts';

const ORG_FIELDS = ['name', 'typeCode', 'officialCode', 'emailDomain', 'oidcIssuer', 'oidcClientId', 'oidcClientSecret'];
const INVITE_FIELDS = ['email', 'displayName', 'organisationId', 'jobTitle', 'phone', 'roles', 'teamIds'];

function publicUrl(services: Services, req: Request): string {
  return services.config.publicUrl ?? `${req.protocol}://${req.get('host')}`;
}

/** Administration of organisations, teams and practitioners: system administrators only. */
export function adminRoutes(services: Services): Router {
  const router = Router();
  const { admin } = services;
  router.use('/admin', requireSignedIn, requireRole(services, 'system_admin'));

  router.get(urls.admin.home(), (_req, res) => res.redirect(urls.admin.organisations()));

  // ----- organisations -----
  router.get(urls.admin.organisations(), async (req, res) => {
    const organisations = await admin.listOrganisations(req.principal!, auditContext(req));
    res.render('admin/organisations.njk', { pageTitle: 'Organisations', organisations });
  });

  const renderOrgForm = async (
    res: Response,
    view: { organisation?: { id: string; name: string }; values: Record<string, unknown>; status?: number; errors?: object },
  ) => {
    res.status(view.status ?? 200).render('admin/organisation-form.njk', {
      pageTitle: view.organisation ? `Change ${view.organisation.name}` : 'Add an organisation',
      types: await admin.organisationTypes(),
      ...view,
    });
  };

  router.get(urls.admin.newOrganisation(), async (_req, res) => {
    await renderOrgForm(res, { values: { active: true } });
  });

  router.post(urls.admin.newOrganisation(), async (req, res) => {
    const values = organisationFormSchema.parse(req.body);
    try {
      const org = await admin.createOrganisation(req.principal!, values, auditContext(req));
      req.session.flash = `${escapeHtml(org.name)} was added`;
      res.redirect(urls.admin.organisation(org.id));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await renderOrgForm(res, { values, status: 400, ...formErrors(err, ORG_FIELDS) });
    }
  });

  router.get('/admin/organisations/:id', async (req, res) => {
    const organisation = await admin.getOrganisation(req.principal!, req.params.id, auditContext(req));
    const teams = await admin.listTeams(req.principal!, organisation.id, auditContext(req));
    res.render('admin/organisation.njk', { pageTitle: organisation.name, organisation, teams });
  });

  router.get('/admin/organisations/:id/edit', async (req, res) => {
    const organisation = await admin.getOrganisation(req.principal!, req.params.id, auditContext(req));
    await renderOrgForm(res, { organisation, values: { ...organisation, oidcClientSecret: '' } });
  });

  router.post('/admin/organisations/:id/edit', async (req, res) => {
    const organisation = await admin.getOrganisation(req.principal!, req.params.id, auditContext(req));
    const values = organisationFormSchema.parse(req.body);
    try {
      await admin.updateOrganisation(req.principal!, organisation.id, values, auditContext(req));
      req.session.flash = `${escapeHtml(values.name ?? organisation.name)} was updated`;
      res.redirect(urls.admin.organisation(organisation.id));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await renderOrgForm(res, { organisation, values, status: 400, ...formErrors(err, ORG_FIELDS) });
    }
  });

  router.get('/admin/organisations/:id/teams/new', async (req, res) => {
    const organisation = await admin.getOrganisation(req.principal!, req.params.id, auditContext(req));
    res.render('admin/team-form.njk', { pageTitle: `Add a team to ${organisation.name}`, organisation, values: {} });
  });

  router.post('/admin/organisations/:id/teams/new', async (req, res) => {
    const organisation = await admin.getOrganisation(req.principal!, req.params.id, auditContext(req));
    try {
      const team = await admin.createTeam(req.principal!, organisation.id, req.body, auditContext(req));
      req.session.flash = `${escapeHtml(team.name)} was added`;
      res.redirect(urls.admin.organisation(organisation.id));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      res.status(400).render('admin/team-form.njk', {
        pageTitle: `Add a team to ${organisation.name}`,
        organisation,
        values: req.body,
        ...formErrors(err, ['name', 'email', 'phone']),
      });
    }
  });

  // ----- practitioners -----
  router.get(urls.admin.practitioners(), async (req, res) => {
    const filter = practitionerFilterSchema.parse(req.query);
    const [users, organisations] = await Promise.all([
      admin.listUsers(req.principal!, filter, auditContext(req)),
      admin.listOrganisations(req.principal!, auditContext(req)),
    ]);
    res.render('admin/practitioners.njk', { pageTitle: 'Practitioners', users, organisations, filter });
  });

  const renderInvite = async (
    req: Request,
    res: Response,
    view: { values: Record<string, unknown>; status?: number; errors?: object; errorList?: object },
  ) => {
    const [organisations, teams, roles] = await Promise.all([
      admin.listOrganisations(req.principal!, auditContext(req)),
      admin.allTeams(),
      admin.roles(),
    ]);
    res.status(view.status ?? 200).render('admin/invite.njk', { pageTitle: 'Invite a practitioner', organisations, teams, roles, ...view });
  };

  router.get(urls.admin.invite(), async (req, res) => {
    await renderInvite(req, res, { values: { organisationId: req.query.organisationId, roles: ['practitioner'] } });
  });

  router.post(urls.admin.invite(), async (req, res) => {
    try {
      const { user, invitationToken, expiresAt } = await admin.invite(req.principal!, req.body, auditContext(req));
      res.status(201).render('admin/invited.njk', {
        pageTitle: 'Practitioner invited',
        user,
        link: `${publicUrl(services, req)}${urls.invitation(invitationToken)}`,
        expiresAt,
      });
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await renderInvite(req, res, { values: req.body, status: 400, ...formErrors(err, INVITE_FIELDS) });
    }
  });

  router.get('/admin/practitioners/:id', async (req, res) => {
    const user = await admin.getUser(req.principal!, req.params.id, auditContext(req));
    const teams = await admin.allTeams();
    res.render('admin/practitioner.njk', {
      pageTitle: user.displayName,
      user,
      teamNames: teams.filter((t) => user.teamIds.includes(t.id)).map((t) => t.name),
      locked: Boolean(user.lockedUntil && user.lockedUntil > new Date()),
      self: user.id === req.principal!.userId,
    });
  });

  const renderEdit = async (
    req: Request,
    res: Response,
    userId: string,
    view: { values?: Record<string, unknown>; status?: number; errors?: object; errorList?: object },
  ) => {
    const user = await admin.getUser(req.principal!, userId, auditContext(req));
    const [teams, roles] = await Promise.all([admin.listTeams(req.principal!, user.organisationId, auditContext(req)), admin.roles()]);
    res.status(view.status ?? 200).render('admin/practitioner-form.njk', {
      pageTitle: `Change ${user.displayName}`,
      user,
      teams,
      roles,
      ...view,
      values: view.values ?? user,
    });
  };

  router.get('/admin/practitioners/:id/edit', async (req, res) => {
    await renderEdit(req, res, req.params.id, {});
  });

  router.post('/admin/practitioners/:id/edit', async (req, res) => {
    try {
      const user = await admin.updateUser(req.principal!, req.params.id, req.body, auditContext(req));
      req.session.flash = `${escapeHtml(user.displayName)}'s details were updated`;
      res.redirect(urls.admin.practitioner(user.id));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await renderEdit(req, res, req.params.id, { values: req.body, status: 400, ...formErrors(err, INVITE_FIELDS) });
    }
  });

  router.post('/admin/practitioners/:id/:action', async (req, res) => {
    const id = req.params.id;
    const p = req.principal!;
    const ctx = auditContext(req);
    try {
      switch (req.params.action) {
        case 'deactivate':
          await admin.deactivate(p, id, typeof req.body.reason === 'string' ? req.body.reason : '', ctx);
          req.session.flash = 'The account was deactivated and its sessions ended';
          break;
        case 'reactivate':
          await admin.reactivate(p, id, ctx);
          req.session.flash = 'The account was reactivated';
          break;
        case 'reset-second-factor':
          await admin.resetSecondFactor(p, id, ctx);
          req.session.flash = 'The authenticator was reset: they will set up a new one when they next sign in';
          break;
        case 'unlock':
          await admin.unlock(p, id, ctx);
          req.session.flash = 'The account was unlocked';
          break;
        case 'reinvite': {
          const { invitationToken, expiresAt } = await admin.reinvite(p, id, ctx);
          const user = await admin.getUser(p, id, ctx);
          return res.render('admin/invited.njk', {
            pageTitle: 'New invitation created',
            user,
            link: `${publicUrl(services, req)}${urls.invitation(invitationToken)}`,
            expiresAt,
          });
        }
        default:
          return res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
      }
    } catch (err) {
      if (!isValidationError(err)) throw err;
      req.session.flash = undefined;
      const user = await admin.getUser(p, id, ctx);
      const teams = await admin.allTeams();
      return res.status(400).render('admin/practitioner.njk', {
        pageTitle: user.displayName,
        user,
        teamNames: teams.filter((t) => user.teamIds.includes(t.id)).map((t) => t.name),
        locked: Boolean(user.lockedUntil && user.lockedUntil > new Date()),
        self: user.id === p.userId,
        ...formErrors(err, ['reason']),
      });
    }
    res.redirect(urls.admin.practitioner(id));
  });

  return router;
}
