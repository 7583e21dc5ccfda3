import http from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { createServices, type Services } from './services/index.ts';
import { DEMO_PASSWORD } from './services/demo-service.ts';
import { createApp } from './web/app.ts';
import { acquireDataDirLock, controlSocketPath } from './runtime/data-dir-lock.ts';
import { startControlSocket } from './runtime/control-socket.ts';
import { runCommand } from './cli/commands.ts';
import { bufferedOutput, type Output } from './cli/output.ts';

export interface RunningServer {
  url: string;
  services: Services;
  server: http.Server;
  stop(): Promise<void>;
}

export class StartupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/**
 * Opens (and on the embedded database, locks) the database, migrates it, optionally loads the
 * demo, and listens. Everything that can be wrong with the set-up is found here, before the
 * first request, and reported as a StartupError naming what to fix.
 */
export async function startServer(
  config: Config,
  logger: Logger,
  options: { demo?: boolean; io?: Output } = {},
): Promise<RunningServer> {
  const releaseLock = config.databaseUrl
    ? () => undefined
    : acquireDataDirLock(config.dataDir, { url: `http://${config.host}:${config.port}` });
  let database: DatabaseHandle | undefined;
  let jobs: Services['jobs'] | undefined;
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const migration = await migrate(database);
    if (migration.applied.length) logger.info({ applied: migration.applied }, 'database migrated');
    const services = createServices(config, database);
    if (options.demo && config.env === 'production') {
      logger.warn('NODE_ENV=production: the demo partnership is not loaded');
    } else if (options.demo) {
      const r = await services.demo.load();
      if (r === 'not-empty') logger.warn('database already holds a partnership that is not the demo: demo not loaded');
    }
    // Background jobs (decision 0012): workers and schedules run in this process, on this database.
    jobs = services.jobs;
    await jobs.start({ logger });
    const app = createApp(services, logger);
    const server = http.createServer(app);
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          new StartupError(
            err.code === 'EADDRINUSE'
              ? `Port ${config.port} on ${config.host} is already in use. Stop the other program or set PORT to a free port, e.g. PORT=3001 npm start`
              : err.code === 'EACCES'
                ? `Not allowed to listen on port ${config.port}. Choose a port above 1023 with PORT.`
                : `Cannot listen on ${config.host}:${config.port}: ${err.message}`,
            { cause: err },
          ),
        );
      });
      server.listen(config.port, config.host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const host = address.address.includes(':') ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;

    let control: NetServer | undefined;
    if (!config.databaseUrl) {
      control = await startControlSocket(controlSocketPath(config.dataDir), async (argv) => {
        const io = bufferedOutput();
        const exitCode = await runCommand(services, argv, io);
        return { exitCode, stdout: io.stdout(), stderr: io.stderr() };
      });
    }

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        control?.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 5_000).unref();
        });
        // Running jobs finish (or, after the timeout, fail and are retried later) before the
        // database closes; what they audited is flushed below.
        await services.jobs.stop();
        await services.audit.flush();
        await database!.close();
        releaseLock();
      })());
    return { url, services, server, stop };
  } catch (err) {
    await jobs?.stop().catch(() => undefined);
    await database?.close().catch(() => undefined);
    releaseLock();
    throw err;
  }
}


export async function startupBanner(running: RunningServer, config: Config): Promise<string> {
  const { services, url } = running;
  const lines = [
    '',
    `Team Around is running at ${url}`,
    config.databaseUrl
      ? `Database: PostgreSQL ${services.database.location}`
      : `Database: embedded PostgreSQL (PGlite), data kept in ${services.database.location}`,
  ];
  const demoUsers = await services.demo.users();
  if (demoUsers.length) {
    const width = Math.max(...demoUsers.map((u) => u.email.length));
    lines.push(
      '',
      'Demo partnership loaded (invented people and organisations). Sign in at ' + `${url}/sign-in as any of:`,
      '',
      ...demoUsers.map((u) => `  ${u.email.padEnd(width)}  ${u.organisation}: ${u.roles.join(', ')}`),
      '',
      `  Password for every demo user: ${DEMO_PASSWORD}`,
      '  Security code: run `npx teamaround demo-code <email>` in another terminal (codes change every 30 seconds).',
      '  `npx teamaround demo-users` lists them as JSON.',
    );
  }
  lines.push('', 'Press Ctrl+C to stop.', '');
  return lines.join('\n');
}
