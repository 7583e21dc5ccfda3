import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What a running server writes beside the embedded database so other processes know it holds it. */
export interface ServerLock {
  pid: number;
  url: string;
  controlSocket: string;
  startedAt: string;
}

export class DataDirBusyError extends Error {
  readonly lock: ServerLock;
  constructor(dataDir: string, lock: ServerLock) {
    super(
      `The embedded database in ${dataDir} is held by a running Team Around server (pid ${lock.pid}, ${lock.url}). ` +
        'Only one process can open it at a time.',
    );
    this.name = 'DataDirBusyError';
    this.lock = lock;
  }
}

const lockFile = (dataDir: string) => path.join(dataDir, 'server.lock.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock of a live server holding this data folder, if there is one (stale locks are ignored). */
export function readServerLock(dataDir: string): ServerLock | undefined {
  try {
    const lock = JSON.parse(fs.readFileSync(lockFile(dataDir), 'utf8')) as ServerLock;
    return lock.pid !== process.pid && alive(lock.pid) ? lock : undefined;
  } catch {
    return undefined;
  }
}

/** A unix socket path short enough for the OS limit (about 104 bytes). */
export function controlSocketPath(dataDir: string): string {
  const preferred = path.join(dataDir, 'control.sock');
  if (Buffer.byteLength(preferred) < 100) return preferred;
  const hash = crypto.createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `teamaround-${hash}.sock`);
}

/**
 * Claims the data folder for this process: refuses when a live process holds it, takes over a
 * stale lock left by a crash. Also used by CLI commands while they hold the database.
 */
export function acquireDataDirLock(dataDir: string, info: { url: string }): () => void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = lockFile(dataDir);
  const existing = readServerLock(dataDir);
  if (existing) throw new DataDirBusyError(dataDir, existing);
  const lock: ServerLock = {
    pid: process.pid,
    url: info.url,
    controlSocket: controlSocketPath(dataDir),
    startedAt: new Date().toISOString(),
  };
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(lock, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, file);
  // Two processes racing past the check: the last rename wins; the loser sees it and backs off.
  const check = JSON.parse(fs.readFileSync(file, 'utf8')) as ServerLock;
  if (check.pid !== process.pid) throw new DataDirBusyError(dataDir, check);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      const current = JSON.parse(fs.readFileSync(file, 'utf8')) as ServerLock;
      if (current.pid === process.pid) fs.unlinkSync(file);
    } catch {
      // already gone
    }
  };
}
