import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compact, orukServiceFull, orukServiceSummary, page } from '../../src/directory/oruk.ts';
import type { DirService } from '../../src/directory/model.ts';
import { OrukChecker, orukFixturesPresent, pageProblems } from '../support/oruk-conformance.ts';

const service: DirService = {
  id: '0190f1f4-0000-7000-8000-000000000001',
  organizationId: '0190f1f4-0000-7000-8000-000000000002',
  name: 'Stay and Play',
  description: 'Play sessions',
  url: null,
  email: 'play@example.org',
  phone: null,
  status: 'active',
  fees: 'Free',
  accreditations: null,
  minimumAge: 0,
  maximumAge: 4,
  eligibilityDescription: 'Under fives with a parent or carer',
  applicationProcess: 'Just come along',
  takesReferrals: false,
  alert: null,
  assuredDate: null,
  assurerEmail: null,
  lastCheckedOn: '2026-01-05',
  lastModified: new Date('2026-01-05T09:00:00Z'),
};
const org = { id: service.organizationId, name: 'Northbridge Children\'s Services', description: 'The council', email: null, website: null, uri: null, logo: null };

describe('ORUK shapes', () => {
  it('builds a page envelope that agrees with itself for any count, size and page (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 20 }), (total, size, pageNumber) => {
        const pages = Math.max(1, Math.ceil(total / size));
        const onPage = pageNumber < pages ? size : pageNumber === pages ? total - (pages - 1) * size : 0;
        const p = page(new Array(Math.max(0, onPage)).fill({}), total, pageNumber, size);
        expect(pageProblems('service_list', p as unknown as Record<string, unknown>)).toEqual(pageNumber > pages ? expect.anything() : []);
      }),
    );
  });

  it('leaves out absent values rather than sending null, and sends the last-checked date as assured_date', () => {
    expect(compact({ a: 1, b: null, c: undefined, d: '' })).toEqual({ a: 1, d: '' });
    const s = orukServiceSummary(service, org);
    expect(s).not.toHaveProperty('url');
    expect(s).toMatchObject({ assured_date: '2026-01-05', minimum_age: 0, eligibility_description: 'Under fives with a parent or carer', application_process: 'Just come along' });
  });

  it.skipIf(!orukFixturesPresent)('produces a full service that the UK profile schema accepts', () => {
    const full = orukServiceFull({
      service,
      organization: org,
      locations: [
        {
          serviceAtLocationId: '0190f1f4-0000-7000-8000-000000000003',
          location: {
            id: '0190f1f4-0000-7000-8000-000000000004', organizationId: null, locationType: 'physical', name: 'Hall', description: null, latitude: 54.01, longitude: -1.95,
            addressId: '0190f1f4-0000-7000-8000-000000000005', address1: '1 Hollin Lane', address2: null, city: 'Northbridge', stateProvince: null, postalCode: 'NB5 1AW', country: 'GB',
          },
          accessibility: [{ id: '0190f1f4-0000-7000-8000-000000000006', locationId: '0190f1f4-0000-7000-8000-000000000004', description: 'Step-free', details: null, url: null }],
        },
      ],
      terms: [{ attributeId: '0190f1f4-0000-7000-8000-000000000007', term: { id: '0190f1f4-0000-7000-8000-000000000008', taxonomyId: null, parentId: null, code: 'early_years', name: 'Early years', description: 'Under fives', termUri: null }, taxonomyName: undefined }],
      contacts: [{ id: '0190f1f4-0000-7000-8000-000000000009', serviceId: service.id, name: 'Team', title: null, email: 'team@example.org', phone: '01632 960 120' }],
      schedules: [{ id: '0190f1f4-0000-7000-8000-00000000000a', serviceId: service.id, freq: 'WEEKLY', byday: 'WE', opensAt: '10:00', closesAt: '11:30', description: 'Wednesdays', validFrom: null, validTo: null }],
      costOptions: [{ id: '0190f1f4-0000-7000-8000-00000000000b', serviceId: service.id, option: 'Free', amount: 0, amountDescription: null }],
      languages: [{ id: '0190f1f4-0000-7000-8000-00000000000c', serviceId: service.id, name: 'English', code: 'en' }],
      serviceAreas: [],
    });
    expect(new OrukChecker().check('service_full', full)).toEqual([]);
  });
});
