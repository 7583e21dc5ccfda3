import { beforeAll, describe, expect, it } from 'vitest';
import { mockFeed, OrukChecker, orukFixturesPresent, pageProblems } from '../support/oruk-conformance.ts';

if (!orukFixturesPresent) console.warn('ORUK fixtures not found at ../shared/fixtures/oruk: the conformance checker tests are skipped');

describe.skipIf(!orukFixturesPresent)('the ORUK conformance checker on the validator\'s sample feeds', () => {
  let checker: OrukChecker;
  beforeAll(() => {
    checker = new OrukChecker();
  });

  it('passes the feed the validator passes', () => {
    const r = checker.checkFeed(mockFeed('pass'));
    expect(r.problems).toEqual([]);
    expect(r.result).toBe('pass');
  });

  it('fails the feed the validator fails, for its reasons: no profile, services without a name, bad email and url', () => {
    const r = checker.checkFeed(mockFeed('fail'));
    expect(r.result).toBe('fail');
    const text = r.problems.map((p) => `${p.endpoint}: ${p.message}`).join('\n');
    expect(text).toMatch(/api_details: .*must have required property 'profile'/);
    expect(text).toMatch(/service_list: .*must have required property 'name'/);
    expect(text).toMatch(/must match format "email"/);
    expect(text).toMatch(/must match format "uri"/);
  });

  it('warns on the feed whose problems are only in the optional endpoints (taxonomy terms, paging)', () => {
    const r = checker.checkFeed(mockFeed('warn'));
    expect(r.result).toBe('warn');
    expect(r.problems.every((p) => !['api_details', 'service_list', 'service_full'].includes(p.endpoint))).toBe(true);
    expect(r.problems.some((p) => p.endpoint === 'taxonomy_term' && /description/.test(p.message))).toBe(true);
    expect(r.problems.some((p) => p.endpoint === 'taxonomy_term_list' && /total_pages/.test(p.message))).toBe(true);
  });

  it('checks a page envelope against itself', () => {
    const ok = { total_items: 120, total_pages: 3, page_number: 3, size: 50, first_page: false, last_page: true, empty: false, contents: new Array(20).fill({}) };
    expect(pageProblems('service_list', ok)).toEqual([]);
    expect(pageProblems('service_list', { ...ok, last_page: false }).map((p) => p.message)).toEqual(['page: last_page is false on page 3 of 3']);
    expect(pageProblems('service_list', { ...ok, total_items: 130 })).not.toEqual([]);
  });
});
