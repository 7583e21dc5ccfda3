/** Builders for the access policy's facts in unit tests: a requester, an involvement, a person. */
import type { InvolvementFact, Requester, SubjectFacts } from '../../src/policy/access-policy.ts';

export const requester = (userId: string, organisationId: string, organisationType: string, teamIds: string[], roles: string[]): Requester => ({
  userId,
  organisationId,
  organisationType,
  teamIds,
  roles,
});

/** An active, non-sensitive involvement with no team or practitioner, unless said otherwise. */
export const involvementFact = (id: string, o: Partial<InvolvementFact> & Pick<InvolvementFact, 'organisationId' | 'category'>): InvolvementFact => ({
  id,
  teamId: null,
  practitionerId: null,
  role: 'other',
  sensitive: false,
  consentToShow: false,
  active: true,
  ...o,
});

/** A recorded, unshielded person with nothing else known, unless said otherwise. */
export const subjectFacts = (o: Partial<SubjectFacts> = {}): SubjectFacts => ({
  subjectId: 'person-1',
  exists: true,
  shielded: false,
  involvements: [],
  openEnquiryOrganisationIds: [],
  disclosures: [],
  breakGlass: [],
  ...o,
});
