import { loadConfig, ConfigError, type Config } from '../config.ts';
import { openDatabase, DatabaseUnavailableError } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { createLogger } from '../logger.ts';
import { acquireDataDirLock, DataDirBusyError, readServerLock } from '../runtime/data-dir-lock.ts';
import { sendControlCommand } from '../runtime/control-socket.ts';
import { createServices } from '../services/index.ts';
import { startServer, startupBanner, StartupError } from '../server.ts';
import { COMMANDS, describeCommands, runCommand, runOfflineCommand } from './commands.ts';
import { terminal } from './output.ts';

/** The `teamaround` command. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    terminal.out(describeCommands());
    return command ? 0 : 2;
  }
  if (command !== 'start' && !COMMANDS.some((c) => c.name === command)) {
    terminal.err(`Unknown command "${command}".\n\n${describeCommands()}`);
    return 2;
  }
  if (COMMANDS.find((c) => c.name === command)?.runOffline) return runOfflineCommand(argv, terminal);
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      terminal.err(`Team Around cannot start: ${err.message}`);
      return 1;
    }
    throw err;
  }
  try {
    if (command === 'start') return await start(config, argv.includes('--demo'));
    return await runLocally(config, argv);
  } catch (err) {
    if (err instanceof DatabaseUnavailableError || err instanceof StartupError || err instanceof DataDirBusyError) {
      terminal.err(`Team Around: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

async function start(config: Config, demo: boolean): Promise<number> {
  const logger = createLogger(config.logLevel);
  const running = await startServer(config, logger, { demo });
  terminal.out(await startupBanner(running, config));
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      running.stop().then(resolve, (err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        resolve();
      });
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
  return 0;
}

/**
 * Runs a command against the database directly, or, when a running server holds the embedded
 * database, inside that server over its control socket (saying so).
 */
async function runLocally(config: Config, argv: string[]): Promise<number> {
  if (!config.databaseUrl) {
    const lock = readServerLock(config.dataDir);
    if (lock) {
      terminal.err(
        `The embedded database in ${config.dataDir} is held by the running server (pid ${lock.pid}, ${lock.url}); running this command through it.`,
      );
      let result;
      try {
        result = await sendControlCommand(lock.controlSocket, argv);
      } catch (err) {
        terminal.err(
          `Could not reach that server's control socket (${(err as Error).message}). Stop the server, or run the command again once it has finished starting.`,
        );
        return 1;
      }
      if (result.stdout) process.stdout.write(result.stdout);
      if (result.stderr) process.stderr.write(result.stderr);
      return result.exitCode;
    }
  }
  const release = config.databaseUrl ? () => undefined : acquireDataDirLock(config.dataDir, { url: '(command line)' });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    if (argv[0] !== 'migrate') await migrate(database);
    const services = createServices(config, database);
    const code = await runCommand(services, argv, terminal);
    await services.audit.flush();
    return code;
  } finally {
    await database.close();
    release();
  }
}
