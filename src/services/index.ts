import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { AuditService } from '../audit/audit-service.ts';
import { resolveAppSecret, SecretBox } from '../auth/secrets.ts';
import { AuditRepository } from '../repositories/audit-repository.ts';
import { CredentialRepository } from '../repositories/credential-repository.ts';
import { OrganisationRepository } from '../repositories/organisation-repository.ts';
import { PeopleRepository } from '../repositories/people-repository.ts';
import { PolicyGate } from '../policy/policy-gate.ts';
import { PersonService } from './person-service.ts';
import { SessionRepository } from '../repositories/session-repository.ts';
import { SettingRepository } from '../repositories/setting-repository.ts';
import { UserRepository } from '../repositories/user-repository.ts';
import { AdminService } from './admin-service.ts';
import { AuthService } from './auth-service.ts';
import { DemoService } from './demo-service.ts';
import { OidcService } from './oidc-service.ts';

/** The composition root: repositories are built once and injected into services, services into routes. */
export function createServices(config: Config, database: DatabaseHandle, options: { now?: () => Date } = {}) {
  const secretBox = new SecretBox(resolveAppSecret(config.appSecret, config.dataDir));
  const repositories = {
    audit: new AuditRepository(database),
    credentials: new CredentialRepository(database),
    organisations: new OrganisationRepository(database),
    people: new PeopleRepository(database),
    sessions: new SessionRepository(database),
    settings: new SettingRepository(database),
    users: new UserRepository(database),
  };
  const audit = new AuditService(repositories.audit);
  const auth = new AuthService({
    users: repositories.users,
    credentials: repositories.credentials,
    sessions: repositories.sessions,
    audit,
    secretBox,
    config,
    now: options.now,
  });
  const admin = new AdminService({
    organisations: repositories.organisations,
    users: repositories.users,
    auth,
    audit,
    secretBox,
    now: options.now,
  });
  const demo = new DemoService({
    organisations: repositories.organisations,
    people: repositories.people,
    users: repositories.users,
    settings: repositories.settings,
    audit,
    secretBox,
  });
  const oidc = new OidcService({
    organisations: repositories.organisations,
    users: repositories.users,
    audit,
    secretBox,
    config,
    now: options.now,
  });
  const gate = new PolicyGate({ people: repositories.people, audit, now: options.now });
  const people = new PersonService({ people: repositories.people, organisations: repositories.organisations, users: repositories.users, audit, gate });
  return { config, database, secretBox, repositories, audit, auth, admin, demo, gate, people, oidc };
}

export type Services = ReturnType<typeof createServices>;
