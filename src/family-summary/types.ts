import type { DataCategory } from '../policy/access-policy.ts';

/** One record about a person from any source, before the viewer's access is applied. */
export interface RecordItem {
  /** Stable across reads: feed:<organisation>:<kind>:<record id>, involvement:<id>, note:<id>. */
  key: string;
  subjectId: string;
  /** feed: an agency's feed record; involvement: recorded in Team Around; note: an agency's note. */
  source: 'feed' | 'involvement' | 'note';
  kind: 'involvement' | 'contact' | 'event' | 'note';
  organisationId: string;
  organisationName: string;
  /** The case category the record falls under (the organisation type's, or the service's). */
  category: DataCategory;
  title: string;
  description: string | null;
  /** YYYY-MM-DD */
  startDate: string;
  endDate: string | null;
  /** Recorded-in-app involvements: the early help assessment flag and the involvement id (hidden involvements). */
  earlyHelpAssessment?: boolean;
  involvementId?: string;
}

/** A practitioner's mark or analysis in the worker-curated chronology. */
export interface ChronologyMark {
  id: string;
  subjectId: string;
  itemKey: string | null;
  significant: boolean;
  entryDate: string;
  analysis: string | null;
  organisationId: string;
  organisationName: string;
  category: DataCategory;
  recordedByName: string;
  recordedAt: Date;
}

export interface FamilyMember {
  subjectId: string;
  givenNames: string;
  familyName: string;
  dateOfBirth: string | null;
  dobPrecision: string;
  sex: string;
  deceased: boolean;
  shielded: boolean;
  createdAt: Date;
  /** How they are related to the person the summary is about (null for that person). */
  relationToFocus: string | null;
  isFocus: boolean;
}

export const STATUS_CODES = ['child_protection_plan', 'child_in_need', 'looked_after', 'ehcp', 'youth_justice_order', 'early_help'] as const;
export type StatusCode = (typeof STATUS_CODES)[number];

export interface KeyStatus {
  subjectId: string;
  code: StatusCode;
  label: string;
  /** Open today, or ended within the window. */
  current: boolean;
  since: string;
  until: string | null;
  organisationName: string;
  /** The record it was derived from. */
  itemKey: string;
}

export interface ChronologyEntry extends RecordItem {
  memberName: string;
  significant: boolean;
  /** The marks and analyses on this item the viewer may see. */
  marks: ChronologyMark[];
}

export interface HeldByNotice {
  subjectId: string;
  memberName: string;
  organisationId: string;
  organisationName: string;
  categories: DataCategory[];
  reason: string;
  /** How to ask: the organisation's practitioners or teams involved, as the viewer may see them. */
  contacts: Array<{ name: string; email: string | null; phone: string | null }>;
}
