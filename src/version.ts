import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './paths.ts';

let cached: { version: string; commit: string } | undefined;

/** The package version and the git commit (from GIT_COMMIT, else read once from the checkout). */
export function appVersion(): { version: string; commit: string } {
  if (cached) return cached;
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
  let commit = process.env.GIT_COMMIT ?? 'unknown';
  if (commit === 'unknown') {
    try {
      commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      // not a git checkout
    }
  }
  cached = { version: pkg.version, commit };
  return cached;
}
