import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { AuditService } from '../audit/audit-service.ts';
import { resolveAppSecret, SecretBox } from '../auth/secrets.ts';
import { AuditRepository } from '../repositories/audit-repository.ts';
import { CredentialRepository } from '../repositories/credential-repository.ts';
import { FeedRepository } from '../repositories/feed-repository.ts';
import { FeedService } from '../feeds/feed-service.ts';
import { LinkingRepository } from '../repositories/linking-repository.ts';
import { LinkingService } from './linking-service.ts';
import { EarlyHelpRepository } from '../repositories/early-help-repository.ts';
import { EarlyHelpService } from './early-help-service.ts';
import { earlyHelpOverdueActionsJob } from '../jobs/early-help-overdue-actions.ts';
import { DirectoryRepository } from '../repositories/directory-repository.ts';
import { DirectoryService } from './directory-service.ts';
import { directoryStalenessReminderJob } from '../jobs/directory-staleness-reminder.ts';
import { FamilySummaryRepository } from '../repositories/family-summary-repository.ts';
import { FamilySummaryService } from './family-summary-service.ts';
import { BirthsFeedService } from '../feeds/births.ts';
import { FrontDoorRepository } from '../repositories/front-door-repository.ts';
import { FrontDoorService } from './front-door-service.ts';
import { frontDoorClockJob } from '../jobs/front-door-clock.ts';
import { birthsFeedJob } from '../jobs/births-feed.ts';
import { linkageModelTrainJob } from '../jobs/linkage-model-train.ts';
import { JobRepository } from '../repositories/job-repository.ts';
import { accessReviewReminderJob } from '../jobs/access-review-reminder.ts';
import { agreementReviewReminderJob } from '../jobs/agreement-review-reminder.ts';
import { sharingApprovalChaseJob } from '../jobs/sharing-approval-chase.ts';
import { JobService } from '../jobs/job-service.ts';
import { OrganisationRepository } from '../repositories/organisation-repository.ts';
import { PeopleRepository } from '../repositories/people-repository.ts';
import { PolicyGate } from '../policy/policy-gate.ts';
import { PersonService } from './person-service.ts';
import { ConsentService } from './consent-service.ts';
import { SharingService } from './sharing-service.ts';
import { SessionRepository } from '../repositories/session-repository.ts';
import { SettingRepository } from '../repositories/setting-repository.ts';
import { SharingRepository } from '../repositories/sharing-repository.ts';
import { UserRepository } from '../repositories/user-repository.ts';
import { AdminService } from './admin-service.ts';
import { AgreementService } from './agreement-service.ts';
import { AuthService } from './auth-service.ts';
import { DemoService } from './demo-service.ts';
import { OidcService } from './oidc-service.ts';

/** The composition root: repositories are built once and injected into services, services into routes. */
export function createServices(config: Config, database: DatabaseHandle, options: { now?: () => Date } = {}) {
  const secretBox = new SecretBox(resolveAppSecret(config.appSecret, config.dataDir));
  const repositories = {
    audit: new AuditRepository(database),
    credentials: new CredentialRepository(database),
    feeds: new FeedRepository(database),
    frontDoor: new FrontDoorRepository(database),
    directory: new DirectoryRepository(database),
    jobs: new JobRepository(database),
    organisations: new OrganisationRepository(database),
    people: new PeopleRepository(database),
    sessions: new SessionRepository(database),
    settings: new SettingRepository(database),
    sharing: new SharingRepository(database),
    users: new UserRepository(database),
    earlyHelp: new EarlyHelpRepository(database),
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
    sharing: repositories.sharing,
    users: repositories.users,
    settings: repositories.settings,
    frontDoor: repositories.frontDoor,
    directory: repositories.directory,
    earlyHelp: repositories.earlyHelp,
    audit,
    secretBox,
    agencyFeeds: () => ({ feeds, linking }),
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
  const consents = new ConsentService({ sharing: repositories.sharing, people: repositories.people, organisations: repositories.organisations, gate, audit });
  const agreements = new AgreementService({ sharing: repositories.sharing, organisations: repositories.organisations, audit, now: options.now });
  const sharing = new SharingService({ sharing: repositories.sharing, people: repositories.people, organisations: repositories.organisations, users: repositories.users, gate, audit });
  const feeds = new FeedService({ feeds: repositories.feeds, audit, now: options.now });
  const births = new BirthsFeedService({ feeds: repositories.feeds, sharing: repositories.sharing, organisations: repositories.organisations, audit, now: options.now });
  // Background jobs: defined here, started by the server (src/server.ts), not by short-lived commands.
  const jobs = new JobService({ database, audit, jobs: repositories.jobs });
  jobs.define(accessReviewReminderJob(people));
  jobs.define(agreementReviewReminderJob(agreements));
  jobs.define(sharingApprovalChaseJob(sharing));
  jobs.define(birthsFeedJob(births));
  const directory = new DirectoryService({ directory: repositories.directory, organisations: repositories.organisations, people: repositories.people, settings: repositories.settings, consents, gate, audit, now: options.now });
  jobs.define(directoryStalenessReminderJob(directory));
  const frontDoor = new FrontDoorService({ frontDoor: repositories.frontDoor, organisations: repositories.organisations, persons: people, gate, audit, now: options.now });
  jobs.define(frontDoorClockJob(frontDoor));
  const linking = new LinkingService({ links: new LinkingRepository(database), gate, people: repositories.people, persons: people, audit, now: options.now });
  jobs.define(linkageModelTrainJob(linking));
  const earlyHelp = new EarlyHelpService({ earlyHelp: repositories.earlyHelp, people: repositories.people, users: repositories.users, organisations: repositories.organisations, consents, gate, audit });
  jobs.define(earlyHelpOverdueActionsJob(earlyHelp));
  const summaries = new FamilySummaryService({ summaries: new FamilySummaryRepository(database), people: repositories.people, sharing: repositories.sharing, gate, audit });
  return { config, database, secretBox, repositories, audit, auth, admin, demo, gate, people, oidc, consents, agreements, sharing, feeds, births, linking, jobs, summaries, frontDoor, directory, earlyHelp };
}

export type Services = ReturnType<typeof createServices>;
