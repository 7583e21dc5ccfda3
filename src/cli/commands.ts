import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Actor } from '../audit/audit-service.ts';
import { migrate } from '../db/migrate.ts';
import type { Services } from '../services/index.ts';
import { ValidationError } from '../services/principal.ts';
import { parseOrThrow, organisationSchema } from '../services/admin-service.ts';
import { newId } from '../ids.ts';
import type { Output } from './output.ts';
import { LINK_USAGE, linkMain } from './link-command.ts';
import { DIRECTORY_USAGE, DirectoryUsageError, runDirectoryCommand } from './directory-command.ts';

export const CLI_ACTOR: Actor = { userId: null, label: 'cli', organisationId: null, roles: [] };

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A duration like 30m, 1h, 7d, 2w. */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new UsageError(`--expires: "${text}" is not a duration; use a number and a unit, like 30m, 1h, 7d or 2w`);
  const n = Number(m[1]);
  if (n <= 0) throw new UsageError('--expires: the duration must be more than zero');
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return n * unit;
}

export interface Command {
  name: string;
  usage: string;
  description: string;
  run(services: Services, args: string[], io: Output): Promise<number>;
  /** For a command that works on files alone: run without configuration or database. */
  runOffline?(args: string[], io: Output): Promise<number>;
}

export const COMMANDS: Command[] = [
  {
    name: 'migrate',
    usage: 'migrate',
    description: 'Apply database migrations (the server also does this on start)',
    async run(services, _args, io) {
      const r = await migrate(services.database);
      io.out(r.applied.length ? `Applied ${r.applied.join(', ')}. Schema is at version ${r.current}.` : `Nothing to apply: schema is at version ${r.current}.`);
      const q = r.jobQueue;
      if (q.before !== q.after) {
        io.out(q.before === null ? `Job queue schema created (pg-boss schema version ${q.after}).` : `Job queue schema upgraded from pg-boss schema version ${q.before} to ${q.after}.`);
      }
      return 0;
    },
  },
  {
    name: 'demo-users',
    usage: 'demo-users',
    description: 'List the demo users as JSON (email, organisation, roles)',
    async run(services, _args, io) {
      if (!(await services.demo.isLoaded())) {
        io.err('The demo partnership is not loaded in this database (start it with `npm start`, or run `npx teamaround demo-load`).');
        io.out('[]');
        return 1;
      }
      const users = await services.demo.users();
      io.out(JSON.stringify(users.map((u) => ({ email: u.email, name: u.name, organisation: u.organisation, roles: u.roles })), null, 2));
      return 0;
    },
  },
  {
    name: 'demo-code',
    usage: 'demo-code <email>',
    description: "Print a demo user's current security code (only when the demo partnership is loaded)",
    async run(services, args, io) {
      const email = args[0];
      if (!email) throw new UsageError('Give the demo user\'s email address, e.g. `npx teamaround demo-code admin@csc.northbridge.example`');
      const { code, secondsLeft } = await services.demo.code(email);
      io.out(code);
      io.err(`(valid for about ${secondsLeft} more seconds)`);
      return 0;
    },
  },
  {
    name: 'demo-load',
    usage: 'demo-load',
    description: 'Load the invented demo partnership into an empty database',
    async run(services, _args, io) {
      const r = await services.demo.load();
      if (r === 'not-empty') {
        io.err('This database already holds organisations that are not the demo partnership; the demo was not loaded.');
        return 1;
      }
      io.out(r === 'loaded' ? 'Demo partnership loaded.' : 'The demo partnership was already loaded.');
      return 0;
    },
  },
  {
    name: 'synth',
    usage: 'synth --people <n> [--seed 1] [--involvements-per-person 5] [--as-of YYYY-MM-DD] [--force]',
    description: 'Generate a synthetic partnership (agencies, practitioners, families, involvements) into an empty database, for testing and benchmarks',
    async run(services, args, io) {
      const { values } = parseArgs({
        args,
        options: {
          people: { type: 'string' },
          seed: { type: 'string', default: '1' },
          'involvements-per-person': { type: 'string', default: '5' },
          'as-of': { type: 'string' },
          force: { type: 'boolean', default: false },
        },
        strict: true,
      });
      const whole = (name: string, v: string | undefined, min: number, max: number) => {
        const n = Number(v?.replace(/_/g, ''));
        if (v === undefined || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: give a whole number from ${min} to ${max}`);
        return n;
      };
      const people = whole('people', values.people, 1, 100_000_000);
      const seed = whole('seed', values.seed, 0, 2 ** 31 - 1);
      const perPerson = Number(values['involvements-per-person']);
      if (!Number.isFinite(perPerson) || perPerson < 0 || perPerson > 50) throw new UsageError('--involvements-per-person: give a number from 0 to 50');
      const { synthesise, SynthRefusedError } = await import('../synth/synthesise.ts');
      const { nameKeys } = await import('../services/person-service.ts');
      const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');
      const clock = (s: number) => (Number.isFinite(s) ? `${Math.floor(Math.max(0, s) / 60)}:${String(Math.floor(Math.max(0, s) % 60)).padStart(2, '0')}` : '–');
      let lastLine = 0;
      let lastDecile = -1;
      try {
        const r = await synthesise(
          { database: services.database, settings: services.repositories.settings, audit: services.audit, nameKeys },
          {
            people,
            seed,
            involvementsPerPerson: perPerson,
            asOf: values['as-of'],
            force: values.force,
            actor: CLI_ACTOR,
            onProgress: (p) => {
              const s = p.elapsedMs / 1000;
              let line: string;
              if (p.phase === 'partnership') line = 'Creating agencies, teams, services and practitioners…';
              else if (p.phase === 'analyse') line = `${fmt(p.people)} people, ${fmt(p.involvements)} involvements written in ${clock(s)}; checking, vacuuming and analysing…`;
              else if (p.phase === 'done') line = '';
              else {
                const rate = p.people / Math.max(0.001, s);
                line = `${fmt(p.people)} / ${fmt(p.total)} people (${((100 * p.people) / p.total).toFixed(1)}%), ${fmt(rate)} people/s, ` +
                  `${fmt(p.involvements)} involvements, ETA ${clock((p.total - p.people) / rate)}`;
              }
              if (io.interactive) {
                process.stderr.write(`\r${line}\x1b[K`);
                if (p.phase === 'done' || p.phase === 'analyse') process.stderr.write(p.phase === 'done' ? '\r\x1b[K' : '\n');
              } else if (line) {
                const decile = Math.floor((10 * p.people) / p.total);
                if (p.phase !== 'people' || decile > lastDecile || s - lastLine > 15) {
                  lastDecile = decile;
                  lastLine = s;
                  io.err(line);
                }
              }
            },
          },
        );
        const c = r.counts;
        io.out(
          `Synthetic partnership generated in ${r.seconds}s (seed ${seed}, as of ${r.setting.asOf}): ` +
            `${fmt(c.organisations)} organisations, ${fmt(c.teams)} teams, ${fmt(c.services)} services, ${fmt(c.practitioners)} practitioners; ` +
            `${fmt(c.people)} people in ${fmt(c.households)} households, ${fmt(c.names)} names, ${fmt(c.identifiers)} identifiers, ` +
            `${fmt(c.addresses)} addresses, ${fmt(c.relationships)} relationship rows, ${fmt(c.involvements)} involvements ` +
            `(${fmt(c.activeInvolvements)} active, ${fmt(c.sensitiveInvolvements)} with sensitive services), ${fmt(c.shielded)} shielded people.`,
        );
        if (r.nhsExhausted) io.err('Note: the 999 test range of NHS numbers ran out, so the later people have no NHS number.');
        return 0;
      } catch (err) {
        if (err instanceof SynthRefusedError) {
          if (io.interactive) process.stderr.write('\r\x1b[K');
          io.err(err.message);
          return 1;
        }
        throw err;
      }
    },
  },
  {
    name: 'link',
    usage: LINK_USAGE,
    description: 'Find the records about the same person in CSV files (no database): writes record_id,cluster_id for every record',
    run: (_services, args, io) => linkMain(args, io),
    runOffline: (args, io) => linkMain(args, io),
  },
  {
    name: 'import',
    usage: 'import --feed <id|name> --file <path> [--batch 1000]',
    description: "Stream a CSV or JSON file into one of an organisation's feeds; resumes an interrupted import of the same file",
    async run(services, args, io) {
      const { values } = parseArgs({ args, options: { feed: { type: 'string' }, file: { type: 'string' }, batch: { type: 'string', default: '1000' } }, strict: true });
      if (!values.feed) throw new UsageError('--feed: give the feed\'s id or name');
      if (!values.file) throw new UsageError('--file: give the path of the file to import');
      const batch = Number(values.batch);
      if (!Number.isInteger(batch) || batch < 1 || batch > 5000) throw new UsageError('--batch: give a whole number from 1 to 5000');
      const { runImportFile } = await import('../feeds/import-file.ts');
      return runImportFile(services, { feed: values.feed, file: values.file, batchSize: batch }, io);
    },
  },
  {
    name: 'feed',
    usage: 'feed create --organisation <name> --name <feed name> --kind people|involvements|contacts|events --format csv|json --mapping <mapping.json>',
    description: 'Create a feed for an organisation with its column mapping ({"fields": {"sourceRecordId": "ID", …}, "dateFormat": "YYYY-MM-DD"}); prints its id',
    async run(services, args, io) {
      const [sub, ...rest] = args;
      if (sub !== 'create') throw new UsageError('Usage: ' + this.usage);
      const { values } = parseArgs({
        args: rest,
        options: { organisation: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string' }, format: { type: 'string' }, mapping: { type: 'string' } },
        strict: true,
      });
      const org = values.organisation ? await services.repositories.organisations.findByName(values.organisation) : undefined;
      if (!org) throw new UsageError('--organisation: give the name of an existing organisation');
      if (!values.mapping) throw new UsageError('--mapping: give the path of a JSON file holding the column mapping');
      let mapping: unknown;
      try {
        mapping = JSON.parse(readFileSync(values.mapping, 'utf8'));
      } catch (err) {
        throw new UsageError(`--mapping: cannot read "${values.mapping}" as JSON (${(err as Error).message})`);
      }
      const feed = await services.feeds.create('operator', { name: values.name, kind: values.kind, format: values.format, mapping }, org.id);
      io.out(feed.id);
      io.err(`Feed "${feed.name}" (${feed.kind}, ${feed.format}) created for ${org.name}.`);
      return 0;
    },
  },
  {
    name: 'directory',
    usage: DIRECTORY_USAGE,
    description: 'Service directory (Open Referral UK): import or export the tabular CSV files, import postcode centroids (ONS Postcode Directory layout), remind owners of out-of-date entries',
    run: (services, args, io) => runDirectoryCommand(services, args, io),
  },
  {
    name: 'reach-area',
    usage: 'reach-area --organisation <name> --postcodes "NB1, NB2 3"',
    description: "Set a children's centre's reach area (postcode districts and sectors) for the weekly list of new births",
    async run(services, args, io) {
      const { values } = parseArgs({ args, options: { organisation: { type: 'string' }, postcodes: { type: 'string' } }, strict: true });
      const org = values.organisation ? await services.repositories.organisations.findByName(values.organisation) : undefined;
      if (!org) throw new UsageError('--organisation: give the name of an existing organisation');
      const entries = (values.postcodes ?? '').split(',').map((x) => x.trim()).filter(Boolean);
      const set = await services.births.setReachArea(CLI_ACTOR, org.id, entries);
      io.out(set.length ? `Reach area of ${org.name}: ${set.join(', ')}.` : `${org.name} has no reach area now.`);
      return 0;
    },
  },
  {
    name: 'link-train',
    usage: 'link-train [--people 200000] [--records 200000]',
    description: 'Train the record linkage model without labels on people and agencies\' people records; the app scores with it from then on',
    async run(services, args, io) {
      const { values } = parseArgs({ args, options: { people: { type: 'string' }, records: { type: 'string' } }, strict: true });
      const count = (v: string | undefined, name: string) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name}: give a whole number above 0`);
        return n;
      };
      const started = performance.now();
      const { modelId, summary } = await services.linking.train('operator', { requestId: 'cli', ip: null }, { people: count(values.people, 'people'), records: count(values.records, 'records') });
      io.out(
        `Trained linkage model ${modelId} on ${summary.people.toLocaleString('en-GB')} people and ${summary.records.toLocaleString('en-GB')} agency records in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
          `prior ${summary.lambda.toExponential(2)}, about ${Math.round(summary.expectedMatches).toLocaleString('en-GB')} matching pairs, ${summary.namesKept.toLocaleString('en-GB')} names kept for term frequencies.`,
      );
      return 0;
    },
  },
  {
    name: 'api-token',
    usage: 'api-token create --user <email> [--expires 1h] [--name <label>]',
    description: 'Create an API bearer token for a practitioner; prints the token once',
    async run(services, args, io) {
      const [sub, ...rest] = args;
      if (sub !== 'create') throw new UsageError('Usage: api-token create --user <email> [--expires 1h] [--name <label>]');
      const { values } = parseArgs({
        args: rest,
        options: { user: { type: 'string' }, expires: { type: 'string' }, name: { type: 'string' } },
        strict: true,
      });
      if (!values.user) throw new UsageError('--user: give the practitioner\'s email address');
      const expiresInMs = values.expires ? parseDuration(values.expires) : null;
      const { token, expiresAt, user } = await services.auth.createApiToken(values.user, {
        expiresInMs,
        name: values.name ?? 'command line',
        by: CLI_ACTOR,
      });
      io.out(token);
      io.err(`Token for ${user.email} (${user.organisationName}); ${expiresAt ? `expires ${expiresAt.toISOString()}` : 'does not expire'}. It is shown only once.`);
      return 0;
    },
  },
  {
    name: 'audit',
    usage: 'audit verify',
    description: 'Check the whole audit hash chain; names the first broken entry',
    async run(services, args, io) {
      if (args[0] !== 'verify') throw new UsageError('Usage: audit verify');
      const started = performance.now();
      const result = await services.audit.verify((n) => {
        if (io.interactive) process.stderr.write(`\rChecked ${n} entries…`);
      });
      if (io.interactive) process.stderr.write('\r\x1b[K');
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (result.ok) {
        io.out(`Audit log intact: ${result.entries} entries checked in ${seconds}s.`);
        return 0;
      }
      const b = result.firstBroken!;
      io.out(`Audit log BROKEN at entry ${b.seq}${b.id ? ` (id ${b.id})` : ''}: ${b.problem}. ${result.entries} entries before it are intact.`);
      return 3;
    },
  },
  {
    name: 'admin',
    usage: 'admin create --email <email> --name <full name> --organisation <name> --type <type> --code <official code>',
    description: 'Create a system administrator (and their organisation if new); prints an invitation link',
    async run(services, args, io) {
      const [sub, ...rest] = args;
      if (sub !== 'create') throw new UsageError('Usage: ' + this.usage);
      const { values } = parseArgs({
        args: rest,
        options: {
          email: { type: 'string' },
          name: { type: 'string' },
          organisation: { type: 'string' },
          type: { type: 'string' },
          code: { type: 'string' },
        },
        strict: true,
      });
      const v = z
        .object({ email: z.email('--email: enter an email address'), name: z.string('--name: enter their full name').min(1), organisation: z.string('--organisation: enter the organisation name').min(1) })
        .safeParse(values);
      if (!v.success) throw new UsageError(v.error.issues.map((i) => i.message).join('\n'));
      const repo = services.repositories.organisations;
      let org = await repo.findByName(v.data.organisation);
      if (!org) {
        const o = parseOrThrow(organisationSchema, { name: v.data.organisation, typeCode: values.type, officialCode: values.code });
        const id = newId();
        await repo.insert(id, { ...o, oidcClientSecret: null }, new Date());
        org = (await repo.findById(id))!;
        await services.audit.record({ actor: CLI_ACTOR, action: 'admin.organisation.create', outcome: 'success', subjectType: 'organisation', subjectId: id });
      }
      if (await services.repositories.users.findByEmail(v.data.email)) {
        throw new ValidationError({ email: `--email: ${v.data.email} already has an account` });
      }
      const id = newId();
      await services.repositories.users.insert(
        { id, organisationId: org.id, email: v.data.email, displayName: v.data.name, jobTitle: null, phone: null, status: 'invited', roles: ['system_admin'], teamIds: [] },
        new Date(),
      );
      const { token, expiresAt } = await services.auth.createInvitation(id, CLI_ACTOR);
      await services.audit.record({ actor: CLI_ACTOR, action: 'admin.practitioner.invite', outcome: 'success', subjectType: 'practitioner', subjectId: id, details: { roles: ['system_admin'] } });
      const base = services.config.publicUrl ?? `http://${services.config.host}:${services.config.port}`;
      io.out(`${base}/invitation/${token}`);
      io.err(`Invitation for ${v.data.email} (${org.name}) as system administrator; expires ${expiresAt.toISOString()}.`);
      return 0;
    },
  },
];

export function describeCommands(): string {
  return [
    'Usage: npx teamaround <command>',
    '',
    '  start [--demo]',
    '      Start the web server (npm start loads the demo partnership)',
    ...COMMANDS.flatMap((c) => [`  ${c.usage}`, `      ${c.description}`]),
    '',
    'Environment: DATABASE_URL (PostgreSQL; default is the embedded database), DATA_DIR (embedded database folder, default ./.data), PORT, HOST.',
  ].join('\n');
}

/** Runs one command against open services; usage and validation problems become a message and exit code 2. */
export async function runCommand(services: Services, argv: string[], io: Output): Promise<number> {
  const [name, ...args] = argv;
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`Unknown command "${name ?? ''}".\n\n${describeCommands()}`);
    return 2;
  }
  return guarded(command, () => command.run(services, args, io), io);
}

/** Runs a command that needs no database (`runOffline`), with the same error reporting. */
export async function runOfflineCommand(argv: string[], io: Output): Promise<number> {
  const [name, ...args] = argv;
  const command = COMMANDS.find((c) => c.name === name);
  if (!command?.runOffline) throw new Error(`${name ?? ''} is not a command that runs without a database`);
  return guarded(command, () => command.runOffline!(args, io), io);
}

async function guarded(command: Command, run: () => Promise<number>, io: Output): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UsageError || err instanceof DirectoryUsageError) {
      io.err(err.message);
      return 2;
    }
    if (err instanceof ValidationError) {
      io.err(Object.values(err.fields).join('\n'));
      return 2;
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(err as Error).message}\nUsage: npx teamaround ${command.usage}`);
      return 2;
    }
    throw err;
  }
}
