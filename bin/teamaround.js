#!/usr/bin/env node
// Team Around command line. Runs the TypeScript sources directly (Node 24 strips types natively).
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(
    `Team Around needs Node.js 24 or later; this is ${process.version}.\n` +
      'Run it through npm (npm start, npx teamaround ...) so the project\'s own Node from node_modules is used.',
  );
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
