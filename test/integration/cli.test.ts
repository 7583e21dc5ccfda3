import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/teamaround.js');
const SECRET = 'cli-test-secret-cli-test-secret-123456';

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, DATABASE_URL: '', APP_SECRET: SECRET, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 150_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI on the embedded database; the commands share their code with the server, which the PostgreSQL tier covers. */
describe('teamaround command line (embedded database)', { timeout: 180_000 }, () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-cli-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const run = (...args: string[]) => cli(args, { DATA_DIR: dataDir });

  it('migrates a fresh data folder, then has nothing to do', () => {
    const first = run('migrate');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied 0001_foundation/);
    expect(run('migrate').stdout).toMatch(/Nothing to apply/);
  });

  it('refuses demo codes until the demo partnership is loaded', () => {
    const r = run('demo-code', 'admin@csc.northbridge.example');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/demo partnership is not loaded/);
    expect(run('demo-users').code).toBe(1);
  });

  it('lists demo users as JSON and prints their current codes', () => {
    expect(run('demo-load').code).toBe(0);
    const users = JSON.parse(run('demo-users').stdout) as Array<{ email: string; organisation: string; roles: string[] }>;
    expect(users.length).toBeGreaterThanOrEqual(10);
    expect(users).toContainEqual(expect.objectContaining({ email: 'ig.lead@csc.northbridge.example', organisation: "Northbridge Children's Services", roles: ['ig_lead'] }));
    const code = run('demo-code', 'ig.lead@csc.northbridge.example');
    expect(code.code).toBe(0);
    expect(code.stdout.trim()).toMatch(/^\d{6}$/);
    const notDemo = run('demo-code', 'someone@else.example');
    expect(notDemo.code).toBe(2);
    expect(notDemo.stderr).toMatch(/not a demo account/);
  });

  it('creates API tokens, validating the options', () => {
    const ok = run('api-token', 'create', '--user', 'admin@csc.northbridge.example', '--expires', '1h');
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toMatch(/^ta_[A-Za-z0-9_-]{40,}$/);
    expect(ok.stderr).toMatch(/expires 20\d\d-/);
    const badDuration = run('api-token', 'create', '--user', 'admin@csc.northbridge.example', '--expires', 'soon');
    expect(badDuration.code).toBe(2);
    expect(badDuration.stderr).toMatch(/--expires: "soon" is not a duration/);
    const noUser = run('api-token', 'create', '--user', 'ghost@x.example');
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toMatch(/No practitioner has the email address ghost@x.example/);
    expect(run('api-token', 'create').stderr).toMatch(/--user/);
  });

  it('verifies the audit chain, and names the first entry altered behind its back', async () => {
    const intact = run('audit', 'verify');
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/Audit log intact: \d+ entries/);
    const db = await PGlite.create(path.join(dataDir, 'pgdata'));
    await db.query(`update audit_event set actor_label = 'someone-else' where seq = 2`);
    await db.close();
    const broken = run('audit', 'verify');
    expect(broken.code).toBe(3);
    expect(broken.stdout).toMatch(/BROKEN at entry 2 \(id [0-9a-f-]{36}\): contents were altered/);
  });

  it('runs commands through a running server that holds the embedded database, and says so', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-cli-srv-'));
    const server = spawn(process.execPath, [BIN, 'start', '--demo'], {
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: other, PORT: '0', APP_SECRET: SECRET, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let banner = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start: ${banner}`)), 60_000);
        server.stdout.on('data', (d: Buffer) => {
          banner += d.toString();
          if (banner.includes('Press Ctrl+C')) {
            clearTimeout(timer);
            resolve();
          }
        });
        server.on('exit', (c) => reject(new Error(`server exited ${c}: ${banner}`)));
      });
      expect(banner).toMatch(/Team Around is running at http:\/\/127\.0\.0\.1:\d+/);
      expect(banner).toContain(`data kept in ${path.join(other, 'pgdata')}`);
      expect(banner).toMatch(/admin@csc\.northbridge\.example/);
      expect(banner).toMatch(/npx teamaround demo-code <email>/);
      const r = cli(['demo-code', 'admin@csc.northbridge.example'], { DATA_DIR: other });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/held by the running server \(pid \d+/);
      expect(r.stdout.trim()).toMatch(/^\d{6}$/);
      const second = cli(['start'], { DATA_DIR: other, PORT: '0' });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/held by a running Team Around server/);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
      fs.rmSync(other, { recursive: true, force: true });
    }
    expect(fs.existsSync(path.join(other, 'server.lock.json'))).toBe(false);
  });
});

describe('teamaround command line: configuration problems', { timeout: 60_000 }, () => {
  it('refuses to start on a bad PORT, naming it', () => {
    const r = cli(['start'], { PORT: 'eighty' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PORT: must be a whole number/);
  });

  it('refuses to start when DATABASE_URL cannot be reached, saying where', () => {
    const r = cli(['migrate'], { DATABASE_URL: 'postgres://nobody:secretpw@127.0.0.1:1/none' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot reach the database at postgres:\/\/nobody:\*\*\*\*\*@127\.0\.0\.1:1\/none/);
    expect(r.stderr).not.toContain('secretpw');
  });

  it('explains unknown commands', () => {
    const r = cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown command "frobnicate"/);
  });
});
