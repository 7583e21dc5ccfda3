#!/usr/bin/env node
// Team Around command line. Runs the TypeScript sources directly (Node 24 strips types natively).
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(
    `Team Around needs Node.js 24 or later; this is ${process.version}.\n` +
      "Run it through npm (npm start, npx teamaround ...) so the project's own Node from node_modules is used.",
  );
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit once output is flushed: the embedded database's WebAssembly runtime can keep the
// process alive after it is closed, and a command must not hang when its work is done.
await Promise.all([
  new Promise((resolve) => process.stdout.write('', resolve)),
  new Promise((resolve) => process.stderr.write('', resolve)),
]);
process.exit(code);
