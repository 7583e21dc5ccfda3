import { elementsOf, DOMAINS, type AssessmentPage } from '../../../early-help/domains.ts';
import { ValidationError } from '../../../services/principal.ts';
import { field } from '../../forms.ts';
import { datePartsFrom, isoFromParts, type DateParts } from '../people/validation.ts';

/** Form bodies (urlencoded, flat) turned into the early help service's inputs. */

const list = (body: unknown, name: string): string[] => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v ? [v] : [];
};

/** A GOV.UK date input's three fields as an ISO date, or a ValidationError naming the field. */
export function dateField(body: unknown, name: string, label: string): { parts: DateParts; iso: string | undefined } {
  const parts = datePartsFrom(body, name);
  const r = isoFromParts(parts, label);
  if (!r.ok) throw new ValidationError({ [name]: r.message });
  if (!r.value) throw new ValidationError({ [name]: `Enter ${label.charAt(0).toLowerCase()}${label.slice(1)}` });
  return { parts, iso: r.value };
}

/** The assessment page's form as the service's input: `<element>-strengths` and `<element>-needs` for a domain page. */
export function pageInput(page: AssessmentPage, body: unknown): Record<string, unknown> {
  if (page === 'consent') {
    return {
      assessmentConsent: field(body, 'assessmentConsent'),
      givenBy: field(body, 'givenBy'),
      givenByName: field(body, 'givenByName'),
      shareConsent: field(body, 'shareConsent'),
      capacityAssessment: field(body, 'capacityAssessment'),
      capacityOutcome: field(body, 'capacityOutcome'),
      capacityReasoning: field(body, 'capacityReasoning'),
    };
  }
  if (page === 'words') return { childWords: field(body, 'childWords'), familyWords: field(body, 'familyWords') };
  const domain = DOMAINS.find((d) => d.page === page)!.code;
  const answers: Record<string, { strengths: string; needs: string }> = {};
  for (const e of elementsOf(domain)) answers[e.code] = { strengths: field(body, `${e.code}-strengths`), needs: field(body, `${e.code}-needs`) };
  return { answers };
}

/** Field names of the service's errors as the form's ids (answers.health.strengths → health-strengths). */
export function fieldIdOf(key: string): string {
  const m = /^answers\.([a-z_]+)\.(strengths|needs)$/.exec(key);
  return m ? `${m[1]}-${m[2]}` : key;
}

export function meetingInput(body: unknown) {
  return {
    kind: field(body, 'kind'),
    title: field(body, 'title'),
    location: field(body, 'location'),
    legalBases: list(body, 'legalBases'),
    attendeeIds: list(body, 'attendeeIds'),
    previousMeetingId: field(body, 'previousMeetingId'),
  };
}
