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
const argv = process.argv.slice(2);
const code = argv[0] === 'link' ? await linkFiles(argv.slice(1)) : await (await import('../src/cli/main.ts')).main(argv);
// Exit once output is flushed: the embedded database's WebAssembly runtime can keep the
// process alive after it is closed, and a command must not hang when its work is done.
await Promise.all([
  new Promise((resolve) => process.stdout.write('', resolve)),
  new Promise((resolve) => process.stderr.write('', resolve)),
]);
process.exit(code);

/**
 * `link` works on files alone: load only the linking engine, not the server, the services and the
 * database drivers (which take most of a command's start-up time).
 */
async function linkFiles(args) {
  const { linkMain } = await import('../src/cli/link-command.ts');
  const { terminal } = await import('../src/cli/output.ts');
  return linkMain(args, terminal);
}
