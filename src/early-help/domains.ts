/**
 * The common assessment framework's three domains and their elements (the same code lists as the
 * reference tables early_help_domain and early_help_element in migration 0013). Pure data.
 */
export const DOMAINS = [
  { code: 'development', label: 'Development of the child or young person', page: 'development' },
  { code: 'parenting', label: 'Parents and carers', page: 'parenting' },
  { code: 'family', label: 'Family and environmental factors', page: 'family' },
] as const;
export type DomainCode = (typeof DOMAINS)[number]['code'];

export const ELEMENTS = [
  { code: 'health', domain: 'development', label: 'Health: general health, physical development, speech, language and communication' },
  { code: 'emotional_social', domain: 'development', label: 'Emotional and social development' },
  { code: 'behaviour', domain: 'development', label: 'Behavioural development' },
  { code: 'identity', domain: 'development', label: 'Identity, self-esteem, self-image and social presentation' },
  { code: 'relationships', domain: 'development', label: 'Family and social relationships' },
  { code: 'self_care', domain: 'development', label: 'Self-care skills and independence' },
  { code: 'learning', domain: 'development', label: 'Learning: understanding, participation, progress and aspirations' },
  { code: 'basic_care', domain: 'parenting', label: 'Basic care, ensuring safety and protection' },
  { code: 'emotional_warmth', domain: 'parenting', label: 'Emotional warmth and stability' },
  { code: 'guidance_boundaries', domain: 'parenting', label: 'Guidance, boundaries and stimulation' },
  { code: 'family_history', domain: 'family', label: 'Family history, functioning and well-being' },
  { code: 'wider_family', domain: 'family', label: 'Wider family' },
  { code: 'housing_work_money', domain: 'family', label: 'Housing, employment and financial considerations' },
  { code: 'community', domain: 'family', label: 'Social and community elements and resources, including education' },
] as const satisfies ReadonlyArray<{ code: string; domain: DomainCode; label: string }>;
export type ElementCode = (typeof ELEMENTS)[number]['code'];
export const ELEMENT_CODES = ELEMENTS.map((e) => e.code) as [ElementCode, ...ElementCode[]];

export const elementsOf = (domain: DomainCode) => ELEMENTS.filter((e) => e.domain === domain);

/** The assessment's pages, in order: each saves as the practitioner goes. */
export const ASSESSMENT_PAGES = ['consent', 'development', 'parenting', 'family', 'words'] as const;
export type AssessmentPage = (typeof ASSESSMENT_PAGES)[number];
export const PAGE_TITLES: Record<AssessmentPage, string> = {
  consent: 'Consent to the assessment and to sharing it',
  development: 'Development of the child or young person',
  parenting: 'Parents and carers',
  family: 'Family and environmental factors',
  words: "The child's and the family's own words",
};
