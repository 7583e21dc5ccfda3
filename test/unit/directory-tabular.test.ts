import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyDirectoryData, SERVICE_STATUSES, type DirService } from '../../src/directory/model.ts';
import { exportTables, planImport, TABLES } from '../../src/directory/tabular.ts';

const ORG = '11111111-1111-4111-8111-111111111111';
const files = (entries: Record<string, string>) => new Map(Object.entries(entries));
const orgs = `id,name,description\n${ORG},Hillside Trust,A local charity\n`;

describe('ORUK tabular import: every bad row named by file, row and column; good rows kept', () => {
  it('keeps good rows and refuses bad ones with the reason', () => {
    const plan = planImport(
      files({
        'organizations.csv': orgs,
        'services.csv':
          'id,organization_id,name,status,email,url,minimum_age,maximum_age,assured_date\n' +
          `aaaaaaaa-0000-4000-8000-000000000001,${ORG},Good,active,a@b.org,https://x.example,3,9,2025-01-31\n` +
          `not-a-uuid,${ORG},Bad id,active,,,,,\n` +
          `aaaaaaaa-0000-4000-8000-000000000003,${ORG},,active,,,,,\n` +
          `aaaaaaaa-0000-4000-8000-000000000004,${ORG},Bad email,active,nope,ftp://x,,,2025-02-30\n` +
          `aaaaaaaa-0000-4000-8000-000000000001,${ORG},Duplicate,active,,,,,\n`,
      }),
      {},
      '2026-01-01',
    );
    expect(plan.data.services.map((s) => s.name)).toEqual(['Good']);
    expect(plan.data.services[0]).toMatchObject({ minimumAge: 3, maximumAge: 9, lastCheckedOn: '2025-01-31', email: 'a@b.org' });
    const where = plan.problems.map((p) => `${p.file}:${p.row}:${p.column}`);
    expect(where).toEqual(['services.csv:3:id', 'services.csv:4:name', 'services.csv:5:url', 'services.csv:5:email', 'services.csv:5:assured_date', 'services.csv:6:id']);
    expect(plan.problems[0]!.message).toMatch(/must be a UUID/);
    expect(plan.problems[1]!.message).toMatch(/Enter the name: it is required/);
    expect(plan.counts).toEqual([
      { table: 'organizations', file: 'organizations.csv', rows: 1, accepted: 1 },
      { table: 'services', file: 'services.csv', rows: 5, accepted: 1 },
    ]);
  });

  it('refuses a row that refers to a refused row, saying so, and accepts references to records already stored', () => {
    const stored = 'bbbbbbbb-0000-4000-8000-000000000009';
    const plan = planImport(
      files({
        'organizations.csv': `id,name,description\n${ORG},,no name\n`,
        'services.csv': `id,organization_id,name,status\naaaaaaaa-0000-4000-8000-000000000001,${ORG},S,active\naaaaaaaa-0000-4000-8000-000000000002,${stored},T,active\n`,
      }),
      { organizations: new Set([stored]) },
      '2026-01-01',
    );
    expect(plan.data.services.map((s) => s.name)).toEqual(['T']);
    expect(plan.problems.find((p) => p.file === 'services.csv')).toMatchObject({ row: 2, column: 'organization_id', message: expect.stringMatching(/whose own row in organizations.csv was refused/) });
  });

  it('says when a required column is missing from the header, and names files it does not read', () => {
    const plan = planImport(files({ 'services.csv': 'id,name\n', 'notes.csv': 'x\n' }), {}, '2026-01-01');
    expect(plan.problems).toEqual([{ file: 'services.csv', row: 1, column: 'organization_id, status', message: expect.stringMatching(/no organization_id, status column/) }]);
    expect(plan.ignoredFiles).toEqual(['notes.csv']);
  });

  it('checks rules across columns: ages in order, latitude and longitude in range and together', () => {
    const plan = planImport(
      files({
        'organizations.csv': orgs,
        'services.csv': `id,organization_id,name,status,minimum_age,maximum_age\naaaaaaaa-0000-4000-8000-000000000001,${ORG},S,active,10,5\n`,
        'locations.csv': 'id,location_type,latitude,longitude\ncccccccc-0000-4000-8000-000000000001,physical,100,1\ncccccccc-0000-4000-8000-000000000002,physical,50,\ncccccccc-0000-4000-8000-000000000003,somewhere,,\n',
      }),
      {},
      '2026-01-01',
    );
    expect(plan.problems.map((p) => `${p.file}:${p.row}:${p.column}`)).toEqual(['locations.csv:2:latitude', 'locations.csv:3:longitude', 'locations.csv:4:location_type', 'services.csv:2:maximum_age']);
  });

  it('puts an address on its location, whether imported with it or stored before', () => {
    const loc = 'cccccccc-0000-4000-8000-000000000001';
    const stored = 'cccccccc-0000-4000-8000-000000000002';
    const plan = planImport(
      files({
        'locations.csv': `id,location_type\n${loc},physical\n`,
        'addresses.csv': `id,location_id,address_1,city,postal_code,country\ndddddddd-0000-4000-8000-000000000001,${loc},1 Mill St,Northbridge,NB3 2BD,GB\ndddddddd-0000-4000-8000-000000000002,${stored},2 Mill St,Northbridge,NB3 2BD,GB\n`,
      }),
      { locations: new Set([stored]) },
      '2026-01-01',
    );
    expect(plan.problems).toEqual([]);
    expect(plan.data.locations[0]).toMatchObject({ addressId: 'dddddddd-0000-4000-8000-000000000001', address1: '1 Mill St', postalCode: 'NB3 2BD' });
    expect(plan.data.addresses).toEqual([expect.objectContaining({ locationId: stored, address1: '2 Mill St' })]);
  });

  it('reads back exactly what it exported (property: any services, with commas, quotes and line breaks in text)', () => {
    const text = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s && s.trim().length > 0);
    const service = fc.record({
      id: fc.uuid({ version: 4 }),
      name: text,
      description: fc.option(text, { nil: null }),
      status: fc.constantFrom(...SERVICE_STATUSES),
      minimumAge: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
      span: fc.integer({ min: 0, max: 80 }),
      takesReferrals: fc.boolean(),
      eligibility: fc.option(fc.constantFrom('Families, "in need", with\nchildren', 'Anyone, any age'), { nil: null }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(service, { selector: (s) => s.id, maxLength: 6 }), (rows) => {
        const d = emptyDirectoryData();
        d.organizations.push({ id: ORG, name: 'Hillside, "the" Trust', description: 'A charity', email: null, website: null, uri: null, logo: null });
        d.services = rows.map(
          (r): DirService => ({
            id: r.id,
            organizationId: ORG,
            name: r.name,
            description: r.description,
            url: null,
            email: null,
            phone: null,
            status: r.status,
            fees: null,
            accreditations: null,
            minimumAge: r.minimumAge,
            maximumAge: r.minimumAge === null ? null : r.minimumAge + r.span,
            eligibilityDescription: r.eligibility,
            applicationProcess: null,
            takesReferrals: r.takesReferrals,
            alert: null,
            assuredDate: '2025-06-01',
            assurerEmail: null,
            lastCheckedOn: '2025-06-01',
            lastModified: new Date('2025-06-01T10:00:00.000Z'),
          }),
        );
        const back = planImport(exportTables(d), {}, '2026-01-01');
        expect(back.problems).toEqual([]);
        expect(back.data.services).toEqual(d.services);
        expect(back.data.organizations).toEqual(d.organizations);
      }),
      { numRuns: 60 },
    );
  });

  it('writes one file per table, named and ordered as TABLES lists them (the export page lists them from TABLES)', () => {
    expect([...exportTables(emptyDirectoryData()).keys()]).toEqual(TABLES.map((t) => t.files[0]));
  });
});
