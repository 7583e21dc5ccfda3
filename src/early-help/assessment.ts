import { DOMAINS, ELEMENTS, elementsOf, PAGE_TITLES, type AssessmentPage, type DomainCode, type ElementCode } from './domains.ts';

/** What the practitioner wrote for one element: strengths and needs (either may be empty). */
export interface ElementAnswer {
  strengths: string;
  needs: string;
}
export type Answers = Partial<Record<ElementCode, ElementAnswer>>;

export interface AssessmentContent {
  answers: Answers;
  childWords: string | null;
  familyWords: string | null;
  assessmentConsent: 'given' | 'refused' | null;
  /** The consent record (made through the consent service) of the family's answer about the assessment. */
  assessmentConsentId: string | null;
  shareConsent: 'given' | 'refused' | null;
  sharingConsentId: string | null;
}

/** Strengths and needs counted per domain, for the summary and the check page. */
export function domainSummary(answers: Answers): Array<{ domain: DomainCode; label: string; strengths: number; needs: number }> {
  return DOMAINS.map((d) => {
    const of = elementsOf(d.code).map((e) => answers[e.code]).filter((a): a is ElementAnswer => Boolean(a));
    return { domain: d.code, label: d.label, strengths: of.filter((a) => a.strengths.trim()).length, needs: of.filter((a) => a.needs.trim()).length };
  });
}

/** Merges one page's answers into the draft: the elements of that page are replaced, the rest kept. */
export function mergePage(answers: Answers, domain: DomainCode, page: Answers): Answers {
  const out: Answers = { ...answers };
  for (const e of elementsOf(domain)) {
    const a = page[e.code];
    if (a && (a.strengths.trim() || a.needs.trim())) out[e.code] = { strengths: a.strengths.trim(), needs: a.needs.trim() };
    else delete out[e.code];
  }
  return out;
}

/**
 * What still stops a draft being completed (and locked), by page: consent to the assessment given
 * and consent to sharing it answered (given or refused: either is recorded), something recorded in
 * every domain, and the child's and the family's own words. Empty when it can be completed.
 */
export function completionProblems(c: AssessmentContent): Array<{ page: AssessmentPage; field: string; message: string }> {
  const out: Array<{ page: AssessmentPage; field: string; message: string }> = [];
  if (c.assessmentConsent !== 'given' || !c.assessmentConsentId) {
    out.push({
      page: 'consent',
      field: 'assessmentConsent',
      message: c.assessmentConsent === 'refused' ? 'The family refused the assessment: it cannot be completed without their consent' : 'Record whether the family consent to the assessment',
    });
  }
  if (!c.shareConsent || (c.shareConsent === 'given' && !c.sharingConsentId)) {
    out.push({ page: 'consent', field: 'shareConsent', message: 'Record whether the family consent to the assessment being shared with the team around the family' });
  }
  for (const d of DOMAINS) {
    const any = elementsOf(d.code).some((e) => {
      const a = c.answers[e.code];
      return Boolean(a && (a.strengths.trim() || a.needs.trim()));
    });
    if (!any) out.push({ page: d.page, field: `${elementsOf(d.code)[0]!.code}-strengths`, message: `Record at least one strength or need under ${PAGE_TITLES[d.page].toLowerCase()}` });
  }
  if (!c.childWords?.trim()) out.push({ page: 'words', field: 'childWords', message: "Record the child's own words (what they said, or how they showed it)" });
  if (!c.familyWords?.trim()) out.push({ page: 'words', field: 'familyWords', message: "Record the family's own words" });
  return out;
}

/** Answers read back from storage: only known elements, trimmed strings. */
export function cleanAnswers(raw: unknown): Answers {
  const out: Answers = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const e of ELEMENTS) {
    const a = (raw as Record<string, unknown>)[e.code];
    if (a && typeof a === 'object') {
      const s = (a as Record<string, unknown>).strengths;
      const n = (a as Record<string, unknown>).needs;
      out[e.code] = { strengths: typeof s === 'string' ? s : '', needs: typeof n === 'string' ? n : '' };
    }
  }
  return out;
}
