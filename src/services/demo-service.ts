import { newId } from '../ids.ts';
import { SYSTEM_ACTOR, type AuditService } from '../audit/audit-service.ts';
import { hashPassword } from '../auth/password.ts';
import type { SecretBox } from '../auth/secrets.ts';
import { generateTotpSecret, totpCode } from '../auth/totp.ts';
import type { OrganisationRepository } from '../repositories/organisation-repository.ts';
import type { SettingRepository } from '../repositories/setting-repository.ts';
import type { UserRepository } from '../repositories/user-repository.ts';
import { ValidationError, type Role } from './principal.ts';

/** Every demo account shares this password; demo accounts exist only in a demo partnership. */
export const DEMO_PASSWORD = 'northbridge-demo-2026';
const DEMO_SETTING = 'demo_partnership';

interface DemoOrg {
  key: string;
  name: string;
  typeCode: string;
  officialCode: string;
  emailDomain: string;
  teams: Array<{ key: string; name: string; email: string; phone: string }>;
}

/** An invented partnership: every name, code and address here is fictional. */
const ORGS: DemoOrg[] = [
  {
    key: 'csc', name: 'Northbridge Children\'s Services', typeCode: 'childrens_social_care', officialCode: 'E06009901',
    emailDomain: 'csc.northbridge.example',
    teams: [
      { key: 'mash', name: 'Multi-Agency Safeguarding Hub', email: 'mash@csc.northbridge.example', phone: '01632 960 100' },
      { key: 'fst', name: 'Family Safeguarding Team East', email: 'fst.east@csc.northbridge.example', phone: '01632 960 110' },
      { key: 'eh', name: 'Early Help Locality North', email: 'earlyhelp.north@csc.northbridge.example', phone: '01632 960 120' },
      { key: 'ig', name: 'Information Governance', email: 'ig@csc.northbridge.example', phone: '01632 960 130' },
    ],
  },
  {
    key: 'police', name: 'Northbridge Police', typeCode: 'police', officialCode: '98', emailDomain: 'police.northbridge.example',
    teams: [{ key: 'pvp', name: 'Public Protection Unit', email: 'ppu@police.northbridge.example', phone: '01632 960 200' }],
  },
  {
    key: 'nhs', name: 'Northbridge Community Health NHS Trust', typeCode: 'nhs_trust', officialCode: 'RZ9', emailDomain: 'nhs.northbridge.example',
    teams: [{ key: 'hv', name: 'Health Visiting North', email: 'hv.north@nhs.northbridge.example', phone: '01632 960 300' }],
  },
  {
    key: 'gp', name: 'Riverside Medical Practice', typeCode: 'gp_practice', officialCode: 'Z99901', emailDomain: 'riverside.northbridge.example',
    teams: [{ key: 'gp', name: 'Safeguarding Lead Team', email: 'safeguarding@riverside.northbridge.example', phone: '01632 960 400' }],
  },
  {
    key: 'school', name: 'Hollin Lane Primary School', typeCode: 'school', officialCode: '999901', emailDomain: 'hollinlane.northbridge.example',
    teams: [{ key: 'dsl', name: 'Safeguarding', email: 'dsl@hollinlane.northbridge.example', phone: '01632 960 500' }],
  },
  {
    key: 'housing', name: 'Northbridge Homes', typeCode: 'housing', officialCode: 'LH9901', emailDomain: 'homes.northbridge.example',
    teams: [{ key: 'tenancy', name: 'Tenancy Support', email: 'tenancy@homes.northbridge.example', phone: '01632 960 600' }],
  },
  {
    key: 'probation', name: 'Northbridge Probation Delivery Unit', typeCode: 'probation', officialCode: 'N99', emailDomain: 'probation.northbridge.example',
    teams: [{ key: 'om', name: 'Offender Management', email: 'om@probation.northbridge.example', phone: '01632 960 700' }],
  },
  {
    key: 'yjs', name: 'Northbridge Youth Justice Service', typeCode: 'youth_justice', officialCode: 'YJ999', emailDomain: 'yjs.northbridge.example',
    teams: [{ key: 'yjs', name: 'Youth Justice Team', email: 'yjs@yjs.northbridge.example', phone: '01632 960 800' }],
  },
  {
    key: 'vcs', name: 'Northbridge Family Support Trust', typeCode: 'voluntary_sector', officialCode: '1199901', emailDomain: 'familysupport.northbridge.example',
    teams: [{ key: 'fs', name: 'Family Support Workers', email: 'workers@familysupport.northbridge.example', phone: '01632 960 900' }],
  },
];

interface DemoUser {
  email: string;
  name: string;
  org: string;
  teams: string[];
  roles: Role[];
  jobTitle: string;
  phone: string;
}

const USERS: DemoUser[] = [
  { email: 'admin@csc.northbridge.example', name: 'Alex Morgan', org: 'csc', teams: [], roles: ['system_admin'], jobTitle: 'Systems administrator', phone: '01632 960 001' },
  { email: 'ig.lead@csc.northbridge.example', name: 'Helen Carver', org: 'csc', teams: ['ig'], roles: ['ig_lead'], jobTitle: 'Caldicott guardian', phone: '01632 960 002' },
  { email: 'mash.officer@csc.northbridge.example', name: 'Sam Idowu', org: 'csc', teams: ['mash'], roles: ['mash_officer', 'practitioner'], jobTitle: 'MASH senior practitioner', phone: '01632 960 003' },
  { email: 'team.manager@csc.northbridge.example', name: 'Rachel Dunmore', org: 'csc', teams: ['fst'], roles: ['team_manager', 'practitioner'], jobTitle: 'Team manager', phone: '01632 960 004' },
  { email: 'social.worker@csc.northbridge.example', name: 'Kofi Mensah', org: 'csc', teams: ['fst'], roles: ['practitioner'], jobTitle: 'Social worker', phone: '01632 960 005' },
  { email: 'early.help@csc.northbridge.example', name: 'Jade Whitfield', org: 'csc', teams: ['eh'], roles: ['practitioner'], jobTitle: 'Early help family worker', phone: '01632 960 006' },
  { email: 'police.officer@police.northbridge.example', name: 'DC Lewis Hart', org: 'police', teams: ['pvp'], roles: ['practitioner', 'mash_officer'], jobTitle: 'Detective constable, MASH', phone: '01632 960 007' },
  { email: 'health.visitor@nhs.northbridge.example', name: 'Mandeep Kaur', org: 'nhs', teams: ['hv'], roles: ['practitioner'], jobTitle: 'Health visitor', phone: '01632 960 008' },
  { email: 'gp@riverside.northbridge.example', name: 'Dr Ellen Price', org: 'gp', teams: ['gp'], roles: ['practitioner'], jobTitle: 'GP safeguarding lead', phone: '01632 960 009' },
  { email: 'dsl@hollinlane.northbridge.example', name: 'Mark Oduya', org: 'school', teams: ['dsl'], roles: ['practitioner'], jobTitle: 'Designated safeguarding lead', phone: '01632 960 010' },
  { email: 'housing.officer@homes.northbridge.example', name: 'Lucy Brennan', org: 'housing', teams: ['tenancy'], roles: ['practitioner'], jobTitle: 'Tenancy support officer', phone: '01632 960 011' },
  { email: 'probation.officer@probation.northbridge.example', name: 'Gareth Lowe', org: 'probation', teams: ['om'], roles: ['practitioner'], jobTitle: 'Probation officer', phone: '01632 960 012' },
  { email: 'yjs.worker@yjs.northbridge.example', name: 'Aisha Rahman', org: 'yjs', teams: ['yjs'], roles: ['practitioner'], jobTitle: 'Youth justice worker', phone: '01632 960 013' },
  { email: 'family.support@familysupport.northbridge.example', name: 'Beth Nolan', org: 'vcs', teams: ['fs'], roles: ['practitioner'], jobTitle: 'Family support worker', phone: '01632 960 014' },
];

export interface DemoUserSummary {
  email: string;
  name: string;
  organisation: string;
  roles: string[];
}

export class DemoService {
  readonly #orgs: OrganisationRepository;
  readonly #users: UserRepository;
  readonly #settings: SettingRepository;
  readonly #audit: AuditService;
  readonly #box: SecretBox;

  constructor(deps: {
    organisations: OrganisationRepository;
    users: UserRepository;
    settings: SettingRepository;
    audit: AuditService;
    secretBox: SecretBox;
  }) {
    this.#orgs = deps.organisations;
    this.#users = deps.users;
    this.#settings = deps.settings;
    this.#audit = deps.audit;
    this.#box = deps.secretBox;
  }

  async isLoaded(): Promise<boolean> {
    return Boolean(await this.#settings.get(DEMO_SETTING));
  }

  /**
   * Loads the demo partnership into an empty database. Refuses a database that already holds
   * organisations which are not the demo's, so it never mixes with real data.
   */
  async load(): Promise<'loaded' | 'already-loaded' | 'not-empty'> {
    if (await this.isLoaded()) return 'already-loaded';
    if ((await this.#orgs.list()).length > 0) return 'not-empty';
    const now = new Date();
    const orgIds = new Map<string, string>();
    const teamIds = new Map<string, string>();
    for (const o of ORGS) {
      const id = newId();
      orgIds.set(o.key, id);
      await this.#orgs.insert(
        id,
        {
          name: o.name,
          typeCode: o.typeCode,
          officialCode: o.officialCode,
          emailDomain: o.emailDomain,
          oidcIssuer: null,
          oidcClientId: null,
          active: true,
        },
        now,
      );
      for (const t of o.teams) {
        const teamId = newId();
        teamIds.set(`${o.key}.${t.key}`, teamId);
        await this.#orgs.insertTeam({ id: teamId, organisationId: id, name: t.name, email: t.email, phone: t.phone }, now);
      }
    }
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    for (const u of USERS) {
      const id = newId();
      await this.#users.insert(
        {
          id,
          organisationId: orgIds.get(u.org)!,
          email: u.email,
          displayName: u.name,
          jobTitle: u.jobTitle,
          phone: u.phone,
          status: 'active',
          passwordHash,
          isDemo: true,
          roles: u.roles,
          teamIds: u.teams.map((t) => teamIds.get(`${u.org}.${t}`)!),
        },
        now,
      );
      await this.#users.setTotp(id, this.#box.encrypt(generateTotpSecret()), null, now);
    }
    await this.#settings.set(DEMO_SETTING, { loadedAt: now.toISOString(), version: 1 });
    await this.#audit.record({
      actor: SYSTEM_ACTOR,
      action: 'demo.load',
      outcome: 'success',
      details: { organisations: ORGS.length, practitioners: USERS.length },
    });
    return 'loaded';
  }

  async users(): Promise<DemoUserSummary[]> {
    if (!(await this.isLoaded())) return [];
    const users = await this.#users.listDemo();
    return users.map((u) => ({ email: u.email, name: u.displayName, organisation: u.organisationName, roles: u.roles }));
  }

  /** The current code of a demo account. Refused outside a demo partnership and for any real account. */
  async code(email: string): Promise<{ code: string; secondsLeft: number }> {
    if (!(await this.isLoaded())) {
      throw new ValidationError({ email: 'The demo partnership is not loaded in this database, so demo codes are not available' });
    }
    const user = await this.#users.findByEmail(email);
    if (!user || !user.isDemo) throw new ValidationError({ email: `${email} is not a demo account` });
    if (!user.totpSecret) {
      throw new ValidationError({ email: `${email} has no authenticator set up (it was reset): sign in to enrol again` });
    }
    await this.#audit.record({
      actor: { userId: null, label: 'cli', organisationId: null, roles: [] },
      action: 'demo.code',
      outcome: 'success',
      subjectType: 'practitioner',
      subjectId: user.id,
    });
    const now = Date.now();
    return { code: totpCode(this.#box.decrypt(user.totpSecret), now), secondsLeft: 30 - (Math.floor(now / 1000) % 30) };
  }
}
