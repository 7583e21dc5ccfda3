import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/** HL7's R4 JSON schema and the official Consent examples, kept outside the repository (never copied in). */
export const FHIR_FIXTURES = path.resolve(repoRoot, '../shared/fixtures/fhir');
export const fhirFixturesPresent = fs.existsSync(path.join(FHIR_FIXTURES, 'fhir.schema.json'));
if (!fhirFixturesPresent) {
  console.warn(`FHIR fixtures not found at ${FHIR_FIXTURES}: the tests that need the R4 schema or the official Consent examples are skipped`);
}

/** The twelve official R4 Consent examples, by file name. */
export function consentExamples(): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const f of fs.readdirSync(FHIR_FIXTURES).filter((n) => /^Consent-.*\.json$/.test(n)).sort()) {
    out.set(f, JSON.parse(fs.readFileSync(path.join(FHIR_FIXTURES, f), 'utf8')) as Record<string, unknown>);
  }
  return out;
}

/**
 * Checks any R4 resource against the whole schema (its root oneOf of every resource) and returns
 * the problems ([] when valid), read from the resource's own definition so they are legible.
 * The schema names itself with draft-06's `id`, which Ajv 8 wants as `$id`; compiling takes a
 * few seconds, so call this once per test file.
 */
export function fhirValidator(): (resource: unknown) => string[] {
  const schema = JSON.parse(fs.readFileSync(path.join(FHIR_FIXTURES, 'fhir.schema.json'), 'utf8')) as Record<string, unknown>;
  const id = String(schema.id);
  schema.$id = id;
  delete schema.id;
  const require = createRequire(import.meta.url);
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as Record<string, unknown>);
  const whole: ValidateFunction = ajv.compile(schema);
  return (resource: unknown) => {
    if (whole(resource)) return [];
    const type = (resource as { resourceType?: unknown } | null)?.resourceType;
    const own = typeof type === 'string' ? ajv.getSchema(`${id}#/definitions/${type}`) : undefined;
    if (own && !own(resource)) return (own.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    return [`not valid against the R4 schema (resourceType ${JSON.stringify(type)})`];
  };
}
