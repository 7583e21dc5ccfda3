import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Services } from '../services/index.ts';
import type { Output } from './output.ts';

export const DIRECTORY_USAGE =
  'directory import --folder <dir> --owner <organisation name> | directory export --folder <dir> | directory postcodes --file <ONSPD.csv> | directory remind';

export class DirectoryUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectoryUsageError';
  }
}

/**
 * The service directory at the command line, as the operator (audited as `cli`):
 * - `import`: the ORUK tabular CSV files in a folder (services.csv, organizations.csv, …); refused
 *   rows are printed as `file:row:column: problem`; exit 0 when every row was kept, 1 otherwise;
 * - `export`: the published directory's CSV files into a folder;
 * - `postcodes`: postcode centroids from a file in the ONS Postcode Directory layout;
 * - `remind`: remind owners of out-of-date services now (what the daily job does).
 */
export async function runDirectoryCommand(services: Services, args: string[], io: Output): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { folder: { type: 'string' }, owner: { type: 'string' }, file: { type: 'string' } }, strict: true });
  const dir = services.directory;
  if (sub === 'import') {
    if (!values.folder) throw new DirectoryUsageError('--folder: give the folder holding the CSV files');
    const owner = values.owner ? await services.repositories.organisations.findByName(values.owner) : undefined;
    if (!owner) throw new DirectoryUsageError('--owner: give the name of the organisation that will keep these services up to date');
    let names: string[];
    try {
      names = fs.readdirSync(values.folder).filter((f) => f.toLowerCase().endsWith('.csv'));
    } catch (err) {
      throw new DirectoryUsageError(`--folder: cannot read "${values.folder}" (${(err as Error).message})`);
    }
    const files = new Map(names.map((f) => [f.toLowerCase(), fs.readFileSync(path.join(values.folder!, f), 'utf8')]));
    const r = await dir.importTables({ operator: true }, files, owner.id);
    for (const c of r.counts) io.out(`${c.file}: ${c.accepted} of ${c.rows} rows kept`);
    for (const f of r.ignoredFiles) io.err(`${f}: not part of the Open Referral UK tabular form, not read`);
    for (const p of r.problems) io.err(`${p.file}:${p.row}:${p.column ?? ''}: ${p.message}`);
    return r.problems.length ? 1 : 0;
  }
  if (sub === 'export') {
    if (!values.folder) throw new DirectoryUsageError('--folder: give the folder to write the CSV files to');
    fs.mkdirSync(values.folder, { recursive: true });
    const files = await dir.exportTables();
    for (const [name, text] of files) fs.writeFileSync(path.join(values.folder, name), text);
    io.out(`Wrote ${files.size} files to ${values.folder}`);
    return 0;
  }
  if (sub === 'postcodes') {
    if (!values.file) throw new DirectoryUsageError('--file: give the path of a CSV file in the ONS Postcode Directory layout');
    try {
      fs.accessSync(values.file, fs.constants.R_OK);
    } catch (err) {
      throw new DirectoryUsageError(`--file: cannot read "${values.file}" (${(err as Error).message})`);
    }
    // Streamed: the whole ONSPD (about 2.7 million rows) is never held in memory.
    const r = await dir.importCentroidFile({ operator: true }, values.file);
    io.out(`${r.imported} postcodes kept of ${r.rows} rows; ${r.refused} refused`);
    for (const p of r.problems) io.err(`${p.file}:${p.row}:${p.column ?? ''}: ${p.message}`);
    if (r.refused > r.problems.length) io.err(`… and ${r.refused - r.problems.length} more`);
    return r.refused ? 1 : 0;
  }
  if (sub === 'remind') {
    const r = await dir.remindStale(new Date(), { actor: { userId: null, label: 'cli', organisationId: null, roles: [] } });
    io.out(`Reminded the owners of ${r.services} services (${r.notifications} notifications)`);
    return 0;
  }
  throw new DirectoryUsageError(`Usage: npx teamaround ${DIRECTORY_USAGE}`);
}
