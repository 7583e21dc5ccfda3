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
    breakGlass: (id: string, query?: { reason?: string | undefined }) => `/people/${encodeURIComponent(id)}/break-glass${queryString(query)}`,
    accessHistory: (id: string) => `/people/${encodeURIComponent(id)}/access-history`,
  },
  accessReviews: {
    list: () => '/access-reviews',
    review: (subjectId: string, id: string) => `/access-reviews/${encodeURIComponent(subjectId)}/${encodeURIComponent(id)}`,
  },
  api: {
    openapi: () => '/api/openapi.json',
  },
} as const;

export type Urls = typeof urls;
