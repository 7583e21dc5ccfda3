function queryString(query: Record<string, string | undefined> | undefined): string {
  const q = new URLSearchParams(Object.entries(query ?? {}).filter((e): e is [string, string] => Boolean(e[1]))).toString();
  return q ? `?${q}` : '';
}

/** Typed URL builders: every link and redirect in the app is made here, never by string concatenation in routes or views. */
export const urls = {
  home: () => '/',
  signIn: () => '/sign-in',
  signInTotp: () => '/sign-in/security-code',
  signInEnrol: () => '/sign-in/set-up-authenticator',
  signOut: () => '/sign-out',
  signedOut: () => '/signed-out',
  oidcStart: (organisationId: string) => `/sign-in/organisation/${encodeURIComponent(organisationId)}`,
  oidcCallback: () => '/sign-in/oidc/callback',
  invitation: (token: string) => `/invitation/${encodeURIComponent(token)}`,
  admin: {
    home: () => '/admin',
    organisations: () => '/admin/organisations',
    newOrganisation: () => '/admin/organisations/new',
    organisation: (id: string) => `/admin/organisations/${encodeURIComponent(id)}`,
    editOrganisation: (id: string) => `/admin/organisations/${encodeURIComponent(id)}/edit`,
    newTeam: (organisationId: string) => `/admin/organisations/${encodeURIComponent(organisationId)}/teams/new`,
    practitioners: (query?: { organisationId?: string; text?: string; status?: string }) => {
      const q = new URLSearchParams(
        Object.entries(query ?? {}).filter((e): e is [string, string] => Boolean(e[1])),
      ).toString();
      return `/admin/practitioners${q ? `?${q}` : ''}`;
    },
    invite: () => '/admin/practitioners/invite',
    practitioner: (id: string) => `/admin/practitioners/${encodeURIComponent(id)}`,
    editPractitioner: (id: string) => `/admin/practitioners/${encodeURIComponent(id)}/edit`,
    practitionerAction: (id: string, action: 'deactivate' | 'reactivate' | 'reset-second-factor' | 'unlock' | 'reinvite') =>
      `/admin/practitioners/${encodeURIComponent(id)}/${action}`,
  },
  audit: {
    search: (query?: Record<string, string | undefined>) => {
      const q = new URLSearchParams(
        Object.entries(query ?? {}).filter((e): e is [string, string] => Boolean(e[1])),
      ).toString();
      return `/audit${q ? `?${q}` : ''}`;
    },
    verify: () => '/audit/verify',
  },
  people: {
    search: (query?: { name?: string; dateOfBirth?: string; postcode?: string; identifier?: string; reason?: string }) => `/people/search${queryString(query)}`,
    new: () => '/people/new',
    /** The person page; `reason` (from a search) opens the contact minimum when there is no other basis. */
    person: (id: string, query?: { reason?: string | undefined }) => `/people/${encodeURIComponent(id)}${queryString(query)}`,
    newInvolvement: (id: string) => `/people/${encodeURIComponent(id)}/involvements/new`,
    endInvolvement: (id: string, involvementId: string) => `/people/${encodeURIComponent(id)}/involvements/${encodeURIComponent(involvementId)}/end`,
    newRelationship: (id: string, query?: { name?: string; reason?: string }) => `/people/${encodeURIComponent(id)}/relationships/new${queryString(query)}`,
    newName: (id: string) => `/people/${encodeURIComponent(id)}/names/new`,
    newAddress: (id: string) => `/people/${encodeURIComponent(id)}/addresses/new`,
    newIdentifier: (id: string) => `/people/${encodeURIComponent(id)}/identifiers/new`,
    newHousehold: (id: string) => `/people/${encodeURIComponent(id)}/households/new`,
    newHouseholdMember: (id: string, householdId: string, query?: { findName?: string; findReason?: string }) =>
      `/people/${encodeURIComponent(id)}/households/${encodeURIComponent(householdId)}/members/new${queryString(query)}`,
    leaveHousehold: (id: string, householdId: string, memberSubjectId: string) =>
      `/people/${encodeURIComponent(id)}/households/${encodeURIComponent(householdId)}/members/${encodeURIComponent(memberSubjectId)}/leave`,
    breakGlass: (id: string, query?: { reason?: string | undefined }) => `/people/${encodeURIComponent(id)}/break-glass${queryString(query)}`,
    accessHistory: (id: string) => `/people/${encodeURIComponent(id)}/access-history`,
  },
  linking: {
    queue: () => '/linking',
    review: (id: string) => `/linking/reviews/${encodeURIComponent(id)}`,
    /** The agency records linked to a person, and how. */
    personRecords: (id: string) => `/people/${encodeURIComponent(id)}/linked-records`,
    undo: (linkId: string) => `/linking/links/${encodeURIComponent(linkId)}/undo`,
  },
  consent: {
    /** A person's consent history. */
    history: (id: string) => `/people/${encodeURIComponent(id)}/consent`,
    new: (id: string) => `/people/${encodeURIComponent(id)}/consent/new`,
    withdraw: (id: string, consentId: string) => `/people/${encodeURIComponent(id)}/consent/${encodeURIComponent(consentId)}/withdraw`,
    evidence: (id: string, consentId: string) => `/people/${encodeURIComponent(id)}/consent/${encodeURIComponent(consentId)}/evidence`,
  },
  sharing: {
    /** Starts (or resumes) "Should I share this?" about a person. */
    start: (id: string) => `/people/${encodeURIComponent(id)}/share`,
    /** One question of the guided decision; `change` returns to the check-your-answers page. */
    step: (id: string, step: string, query?: { change?: string }) => `/people/${encodeURIComponent(id)}/share/${encodeURIComponent(step)}${queryString(query)}`,
    check: (id: string) => `/people/${encodeURIComponent(id)}/share/check`,
    /** Throws the answers away. */
    cancel: (id: string) => `/people/${encodeURIComponent(id)}/share/cancel`,
    decision: (subjectId: string, id: string) => `/sharing/decisions/${encodeURIComponent(subjectId)}/${encodeURIComponent(id)}`,
    confirmation: (subjectId: string, id: string) => `/sharing/decisions/${encodeURIComponent(subjectId)}/${encodeURIComponent(id)}/confirmation`,
    approval: (subjectId: string, id: string) => `/sharing/decisions/${encodeURIComponent(subjectId)}/${encodeURIComponent(id)}/approval`,
    revoke: (subjectId: string, id: string) => `/sharing/decisions/${encodeURIComponent(subjectId)}/${encodeURIComponent(id)}/revoke`,
    approvals: () => '/sharing/approvals',
    report: (query?: Record<string, string | undefined>) => `/sharing/report${queryString(query)}`,
    reportCsv: (query?: Record<string, string | undefined>) => `/sharing/report.csv${queryString(query)}`,
    history: (id: string) => `/people/${encodeURIComponent(id)}/sharing-history`,
    subjectAccess: (id: string) => `/people/${encodeURIComponent(id)}/subject-access`,
  },
  inbox: {
    list: () => '/inbox',
    disclosure: (subjectId: string, id: string) => `/inbox/${encodeURIComponent(subjectId)}/${encodeURIComponent(id)}`,
    acknowledge: (subjectId: string, id: string) => `/inbox/${encodeURIComponent(subjectId)}/${encodeURIComponent(id)}/acknowledge`,
  },
  accessReviews: {
    list: () => '/access-reviews',
    review: (subjectId: string, id: string) => `/access-reviews/${encodeURIComponent(subjectId)}/${encodeURIComponent(id)}`,
  },
  earlyHelp: {
    person: (subjectId: string) => `/early-help/people/${encodeURIComponent(subjectId)}`,
    personAction: (subjectId: string, action: 'plan' | 'assessments' | 'lead-professional' | 'actions' | 'reviews' | 'close' | 'agenda') =>
      `/early-help/people/${encodeURIComponent(subjectId)}/${action}`,
    assessment: (subjectId: string, id: string) => `/early-help/people/${encodeURIComponent(subjectId)}/assessments/${encodeURIComponent(id)}`,
    assessmentPage: (subjectId: string, id: string, page: string) => `/early-help/people/${encodeURIComponent(subjectId)}/assessments/${encodeURIComponent(id)}/${encodeURIComponent(page)}`,
    action: (subjectId: string, id: string) => `/early-help/people/${encodeURIComponent(subjectId)}/actions/${encodeURIComponent(id)}`,
    tasks: () => '/early-help/tasks',
    meetings: () => '/early-help/meetings',
    newMeeting: (query?: { previousMeetingId?: string | undefined }) => `/early-help/meetings/new${queryString(query)}`,
    meeting: (id: string) => `/early-help/meetings/${encodeURIComponent(id)}`,
    meetingAction: (id: string, action: string) => `/early-help/meetings/${encodeURIComponent(id)}/${action}`,
  },
  agreements: {
    list: (query?: { organisationId?: string | undefined; status?: string | undefined; reviewDue?: string | undefined }) => `/agreements${queryString(query)}`,
    new: () => '/agreements/new',
    agreement: (id: string) => `/agreements/${encodeURIComponent(id)}`,
    sign: (id: string) => `/agreements/${encodeURIComponent(id)}/sign`,
    activate: (id: string) => `/agreements/${encodeURIComponent(id)}/activate`,
    status: (id: string) => `/agreements/${encodeURIComponent(id)}/status`,
    review: (id: string) => `/agreements/${encodeURIComponent(id)}/review`,
  },
  frontDoor: {
    queue: () => '/front-door',
    new: () => '/front-door/new',
    contact: (id: string) => `/front-door/contacts/${encodeURIComponent(id)}`,
    person: (id: string, personId: string) => `/front-door/contacts/${encodeURIComponent(id)}/people/${encodeURIComponent(personId)}`,
    action: (id: string, action: 'rating' | 'research' | 'decision' | 'sign-off' | 'referrer-told' | 'feedback') => `/front-door/contacts/${encodeURIComponent(id)}/${action}`,
    researchInbox: () => '/front-door/research',
    researchRequest: (subjectId: string, id: string) => `/front-door/research/${encodeURIComponent(subjectId)}/${encodeURIComponent(id)}`,
    researchDecline: (subjectId: string, id: string) => `/front-door/research/${encodeURIComponent(subjectId)}/${encodeURIComponent(id)}/decline`,
    referrals: () => '/front-door/referrals',
    dashboard: (query?: { from?: string | undefined; to?: string | undefined }) => `/front-door/dashboard${queryString(query)}`,
    dashboardCsv: (query?: { from?: string | undefined; to?: string | undefined }) => `/front-door/dashboard.csv${queryString(query)}`,
    timescales: () => '/front-door/timescales',
  },
  api: {
    openapi: () => '/api/openapi.json',
  },
  familySummary: {
    /** The summary of a person's family (`base` is `people/<id>` or `households/<id>`); without a reason, the form asking for one. */
    summary: (base: string, query?: Record<string, string | undefined>) => `/family-summary/${base}${queryString(query)}`,
    chronology: (base: string, query?: Record<string, string | string[] | undefined>) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(query ?? {})) for (const x of Array.isArray(v) ? v : v ? [v] : []) q.append(k, x);
      const s = q.toString();
      return `/family-summary/${base}/chronology${s ? `?${s}` : ''}`;
    },
    tree: (base: string, query?: Record<string, string | undefined>) => `/family-summary/${base}/tree${queryString(query)}`,
    pdf: (base: string, query?: Record<string, string | undefined>) => `/family-summary/${base}/summary.pdf${queryString(query)}`,
    mark: (base: string, query?: Record<string, string | undefined>) => `/family-summary/${base}/mark${queryString(query)}`,
    personBase: (id: string) => `people/${encodeURIComponent(id)}`,
    householdBase: (id: string) => `households/${encodeURIComponent(id)}`,
  },
} as const;

export type Urls = typeof urls;
