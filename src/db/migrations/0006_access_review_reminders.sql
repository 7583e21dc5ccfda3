-- 0006 access review reminders: the day an information-governance lead was last reminded that an
-- emergency (break-glass) access is still waiting for review, so the daily reminder job
-- (src/jobs/access-review-reminder.ts) reminds about each entry at most once a day, however often it
-- runs and on however many servers. The job queue itself lives in pg-boss's own schema (pgboss),
-- which src/db/migrate.ts creates after these files (decision 0012).

alter table break_glass add column last_reminded_on date;
