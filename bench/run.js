// Benchmark runner: `npm run bench -- <suite> [args]` runs bench/<suite>.ts with this same Node,
// passing the extra arguments and the environment through. One file per suite, named after it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const suites = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const [suite, ...args] = process.argv.slice(2);

if (!suite || !suites.includes(suite)) {
  console.error(
    `${suite ? `No benchmark suite "${suite}".` : 'Name a benchmark suite.'} Usage: npm run bench -- <suite> [options]\n` +
      `Available suites: ${suites.join(', ') || '(none)'}`,
  );
  process.exit(2);
}

const child = spawn(process.execPath, [path.join(dir, `${suite}.ts`), ...args], { stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
