import { newId } from '../ids.ts';
import { SYSTEM_ACTOR, type AuditService } from '../audit/audit-service.ts';
import { hashPassword } from '../auth/password.ts';
import type { SecretBox } from '../auth/secrets.ts';
import { generateTotpSecret, totpCode } from '../auth/totp.ts';
import { validateNhsNumber, validatePostcode, validateUpn } from '../people/identifiers.ts';
import type { OrganisationRepository } from '../repositories/organisation-repository.ts';
import type { NewPerson, PeopleRepository } from '../repositories/people-repository.ts';
import type { SettingRepository } from '../repositories/setting-repository.ts';
import type { FrontDoorRepository } from '../repositories/front-door-repository.ts';
import { loadFrontDoorDemo } from './front-door-service.ts';
import { loadEarlyHelpDemo } from './early-help-service.ts';
import type { EarlyHelpRepository } from '../repositories/early-help-repository.ts';
import type { DirectoryRepository } from '../repositories/directory-repository.ts';
import { loadDirectoryDemo } from './directory-service.ts';
import type { SharingRepository } from '../repositories/sharing-repository.ts';
import type { UserRepository } from '../repositories/user-repository.ts';
import { nameKeys } from './person-service.ts';
import { ValidationError, type Role } from './principal.ts';
import type { FeedService } from '../feeds/feed-service.ts';
import type { LinkingService } from './linking-service.ts';
import { DEMO_AGENCY_RECORDS, DEMO_FEED_MAPPINGS, demoAgencyCsv, type DemoPersonFacts } from '../family-summary/demo-records.ts';

/** Every demo account shares this password; demo accounts exist only in a demo partnership. */
export const DEMO_PASSWORD = 'northbridge-demo-2026';
const DEMO_SETTING = 'demo_partnership';

interface DemoOrg {
  key: string;
  name: string;
  typeCode: string;
  officialCode: string;
  emailDomain: string;
  teams: Array<{ key: string; name: string; email: string; phone: string }>;
}

/** An invented partnership: every name, code and address here is fictional. */
const ORGS: DemoOrg[] = [
  {
    key: 'csc', name: 'Northbridge Children\'s Services', typeCode: 'childrens_social_care', officialCode: 'E06009901',
    emailDomain: 'csc.northbridge.example',
    teams: [
      { key: 'mash', name: 'Multi-Agency Safeguarding Hub', email: 'mash@csc.northbridge.example', phone: '01632 960 100' },
      { key: 'fst', name: 'Family Safeguarding Team East', email: 'fst.east@csc.northbridge.example', phone: '01632 960 110' },
      { key: 'eh', name: 'Early Help Locality North', email: 'earlyhelp.north@csc.northbridge.example', phone: '01632 960 120' },
      { key: 'ig', name: 'Information Governance', email: 'ig@csc.northbridge.example', phone: '01632 960 130' },
    ],
  },
  {
    key: 'police', name: 'Northbridge Police', typeCode: 'police', officialCode: '98', emailDomain: 'police.northbridge.example',
    teams: [{ key: 'pvp', name: 'Public Protection Unit', email: 'ppu@police.northbridge.example', phone: '01632 960 200' }],
  },
  {
    key: 'nhs', name: 'Northbridge Community Health NHS Trust', typeCode: 'nhs_trust', officialCode: 'RZ9', emailDomain: 'nhs.northbridge.example',
    teams: [
      { key: 'hv', name: 'Health Visiting North', email: 'hv.north@nhs.northbridge.example', phone: '01632 960 300' },
      { key: 'dat', name: 'Drug and Alcohol Team', email: 'recovery@nhs.northbridge.example', phone: '01632 960 310' },
    ],
  },
  {
    key: 'gp', name: 'Riverside Medical Practice', typeCode: 'gp_practice', officialCode: 'Z99901', emailDomain: 'riverside.northbridge.example',
    teams: [{ key: 'gp', name: 'Safeguarding Lead Team', email: 'safeguarding@riverside.northbridge.example', phone: '01632 960 400' }],
  },
  {
    key: 'school', name: 'Hollin Lane Primary School', typeCode: 'school', officialCode: '999901', emailDomain: 'hollinlane.northbridge.example',
    teams: [{ key: 'dsl', name: 'Safeguarding', email: 'dsl@hollinlane.northbridge.example', phone: '01632 960 500' }],
  },
  {
    key: 'housing', name: 'Northbridge Homes', typeCode: 'housing', officialCode: 'LH9901', emailDomain: 'homes.northbridge.example',
    teams: [{ key: 'tenancy', name: 'Tenancy Support', email: 'tenancy@homes.northbridge.example', phone: '01632 960 600' }],
  },
  {
    key: 'probation', name: 'Northbridge Probation Delivery Unit', typeCode: 'probation', officialCode: 'N99', emailDomain: 'probation.northbridge.example',
    teams: [{ key: 'om', name: 'Offender Management', email: 'om@probation.northbridge.example', phone: '01632 960 700' }],
  },
  {
    key: 'yjs', name: 'Northbridge Youth Justice Service', typeCode: 'youth_justice', officialCode: 'YJ999', emailDomain: 'yjs.northbridge.example',
    teams: [{ key: 'yjs', name: 'Youth Justice Team', email: 'yjs@yjs.northbridge.example', phone: '01632 960 800' }],
  },
  {
    key: 'vcs', name: 'Northbridge Family Support Trust', typeCode: 'voluntary_sector', officialCode: '1199901', emailDomain: 'familysupport.northbridge.example',
    teams: [
      { key: 'fs', name: 'Family Support Workers', email: 'workers@familysupport.northbridge.example', phone: '01632 960 900' },
      { key: 'da', name: 'Domestic Abuse Outreach', email: 'outreach@familysupport.northbridge.example', phone: '01632 960 910' },
    ],
  },
];

interface DemoUser {
  email: string;
  name: string;
  org: string;
  teams: string[];
  roles: Role[];
  jobTitle: string;
  phone: string;
}

const USERS: DemoUser[] = [
  { email: 'admin@csc.northbridge.example', name: 'Alex Morgan', org: 'csc', teams: [], roles: ['system_admin'], jobTitle: 'Systems administrator', phone: '01632 960 001' },
  { email: 'ig.lead@csc.northbridge.example', name: 'Helen Carver', org: 'csc', teams: ['ig'], roles: ['ig_lead'], jobTitle: 'Caldicott guardian', phone: '01632 960 002' },
  { email: 'mash.officer@csc.northbridge.example', name: 'Sam Idowu', org: 'csc', teams: ['mash'], roles: ['mash_officer', 'practitioner'], jobTitle: 'MASH senior practitioner', phone: '01632 960 003' },
  { email: 'team.manager@csc.northbridge.example', name: 'Rachel Dunmore', org: 'csc', teams: ['fst'], roles: ['team_manager', 'practitioner'], jobTitle: 'Team manager', phone: '01632 960 004' },
  { email: 'social.worker@csc.northbridge.example', name: 'Kofi Mensah', org: 'csc', teams: ['fst'], roles: ['practitioner'], jobTitle: 'Social worker', phone: '01632 960 005' },
  { email: 'early.help@csc.northbridge.example', name: 'Jade Whitfield', org: 'csc', teams: ['eh'], roles: ['practitioner'], jobTitle: 'Early help family worker', phone: '01632 960 006' },
  { email: 'police.officer@police.northbridge.example', name: 'DC Lewis Hart', org: 'police', teams: ['pvp'], roles: ['practitioner', 'mash_officer'], jobTitle: 'Detective constable, MASH', phone: '01632 960 007' },
  { email: 'health.visitor@nhs.northbridge.example', name: 'Mandeep Kaur', org: 'nhs', teams: ['hv'], roles: ['practitioner'], jobTitle: 'Health visitor', phone: '01632 960 008' },
  { email: 'gp@riverside.northbridge.example', name: 'Dr Ellen Price', org: 'gp', teams: ['gp'], roles: ['practitioner'], jobTitle: 'GP safeguarding lead', phone: '01632 960 009' },
  { email: 'dsl@hollinlane.northbridge.example', name: 'Mark Oduya', org: 'school', teams: ['dsl'], roles: ['practitioner'], jobTitle: 'Designated safeguarding lead', phone: '01632 960 010' },
  { email: 'housing.officer@homes.northbridge.example', name: 'Lucy Brennan', org: 'housing', teams: ['tenancy'], roles: ['practitioner'], jobTitle: 'Tenancy support officer', phone: '01632 960 011' },
  { email: 'probation.officer@probation.northbridge.example', name: 'Gareth Lowe', org: 'probation', teams: ['om'], roles: ['practitioner'], jobTitle: 'Probation officer', phone: '01632 960 012' },
  { email: 'yjs.worker@yjs.northbridge.example', name: 'Aisha Rahman', org: 'yjs', teams: ['yjs'], roles: ['practitioner'], jobTitle: 'Youth justice worker', phone: '01632 960 013' },
  { email: 'family.support@familysupport.northbridge.example', name: 'Beth Nolan', org: 'vcs', teams: ['fs'], roles: ['practitioner'], jobTitle: 'Family support worker', phone: '01632 960 014' },
];

/** Services the demo families' involvements are recorded under; two are sensitive. */
const SERVICES: Array<{ key: string; org: string; team: string; name: string; category: string; sensitiveKind: string | null; email: string; phone: string }> = [
  { key: 'dat', org: 'nhs', team: 'dat', name: 'Drug and Alcohol Service', category: 'health', sensitiveKind: 'substance_misuse', email: 'recovery@nhs.northbridge.example', phone: '01632 960 310' },
  { key: 'hv', org: 'nhs', team: 'hv', name: 'Health Visiting', category: 'health', sensitiveKind: null, email: 'hv.north@nhs.northbridge.example', phone: '01632 960 300' },
  { key: 'da', org: 'vcs', team: 'da', name: 'Domestic Abuse Outreach', category: 'voluntary', sensitiveKind: 'domestic_abuse', email: 'outreach@familysupport.northbridge.example', phone: '01632 960 910' },
  { key: 'fs', org: 'vcs', team: 'fs', name: 'Family Support', category: 'voluntary', sensitiveKind: null, email: 'workers@familysupport.northbridge.example', phone: '01632 960 900' },
];

type When = { yearsOld: number; monthDay: string } | { expectedInDays: number };

interface DemoPerson {
  key: string;
  given: string;
  family: string;
  otherNames?: Array<{ kind: 'previous' | 'alias' | 'preferred' | 'birth'; given: string; family: string }>;
  sex: 'female' | 'male' | 'unknown';
  born: When;
  nhs?: string;
  upn?: string;
  /** None for an unborn child. */
  address?: { line1: string; line2?: string; postcode: string; movedInDaysAgo: number; leftDaysAgo?: number };
  previousAddress?: { line1: string; line2?: string; postcode: string; fromDaysAgo: number; toDaysAgo: number };
  shielded?: boolean;
  diedDaysAgo?: number;
}

interface DemoInvolvement {
  person: string;
  /** `org.team` */
  team: string;
  practitioner?: string;
  service?: string;
  role: string;
  startDaysAgo: number;
  endDaysAgo?: number;
  endReason?: string;
  earlyHelpAssessment?: boolean;
  consentToShow?: boolean;
}

interface DemoFamily {
  /** Which case study in the LSCB information-sharing guidance it echoes. */
  echoes: string;
  recordedBy: string;
  people: DemoPerson[];
  relationships: Array<[from: string, type: string, to: string, fromDaysAgo?: number]>;
  /** Who lives or lived together where: [person, moved in days ago, left days ago]. */
  households: Array<{ label?: string; address: { line1: string; line2?: string; postcode: string }; members: Array<[person: string, fromDaysAgo: number, toDaysAgo?: number]> }>;
  involvements: DemoInvolvement[];
  enquiry?: { person: string; by: string; reason: string };
}

/**
 * Four invented families (every name, number and address is fictional: NHS numbers are from the
 * 999 test range, UPNs use the unallocated local authority number 999, postcodes are in the unused
 * NB area). Dates are relative to when the demo is loaded, so ages stay right.
 */
const FAMILIES: DemoFamily[] = [
  {
    echoes: 'case study 6: a young pregnant woman whose new partner is controlling; evicted, now known to housing',
    recordedBy: 'housing.officer@homes.northbridge.example',
    people: [
      {
        key: 'chloe', given: 'Chloe', family: 'Marsh', sex: 'female', born: { yearsOld: 19, monthDay: '04-11' }, nhs: '9990412030',
        address: { line1: 'Flat 2', line2: '14 Canal Side', postcode: 'NB3 4QT', movedInDaysAgo: 40 },
        previousAddress: { line1: 'Plot 7, Riverbank Caravan Park', postcode: 'NB12 6DS', fromDaysAgo: 300, toDaysAgo: 41 },
      },
      {
        key: 'tyler', given: 'Tyler', family: 'Quinn', sex: 'male', born: { yearsOld: 24, monthDay: '09-30' }, nhs: '9990412049',
        otherNames: [{ kind: 'alias', given: 'Ty', family: 'Quinn' }],
        address: { line1: 'Flat 2', line2: '14 Canal Side', postcode: 'NB3 4QT', movedInDaysAgo: 40 },
        previousAddress: { line1: 'Plot 7, Riverbank Caravan Park', postcode: 'NB12 6DS', fromDaysAgo: 240, toDaysAgo: 41 },
      },
      {
        key: 'unborn', given: 'Unborn', family: 'Marsh', sex: 'unknown', born: { expectedInDays: 68 },
      },
    ],
    relationships: [
      ['chloe', 'partner', 'tyler', 250],
      ['chloe', 'expecting', 'unborn'],
      ['tyler', 'expecting', 'unborn'],
    ],
    households: [
      { address: { line1: 'Plot 7, Riverbank Caravan Park', postcode: 'NB12 6DS' }, members: [['chloe', 300, 41], ['tyler', 240, 41]] },
      { label: 'Temporary accommodation', address: { line1: 'Flat 2', line2: '14 Canal Side', postcode: 'NB3 4QT' }, members: [['chloe', 40], ['tyler', 40]] },
    ],
    involvements: [
      { person: 'unborn', team: 'nhs.hv', practitioner: 'health.visitor@nhs.northbridge.example', service: 'hv', role: 'health_visitor', startDaysAgo: 30 },
      { person: 'chloe', team: 'nhs.hv', practitioner: 'health.visitor@nhs.northbridge.example', service: 'hv', role: 'health_visitor', startDaysAgo: 30 },
      { person: 'chloe', team: 'gp.gp', practitioner: 'gp@riverside.northbridge.example', role: 'gp', startDaysAgo: 700 },
      { person: 'chloe', team: 'housing.tenancy', practitioner: 'housing.officer@homes.northbridge.example', role: 'housing_officer', startDaysAgo: 45 },
      { person: 'tyler', team: 'housing.tenancy', practitioner: 'housing.officer@homes.northbridge.example', role: 'housing_officer', startDaysAgo: 45 },
      {
        person: 'tyler', team: 'police.pvp', practitioner: 'police.officer@police.northbridge.example', role: 'police_officer',
        startDaysAgo: 200, endDaysAgo: 120, endReason: 'Convicted of assault; case closed',
      },
      { person: 'unborn', team: 'csc.fst', practitioner: 'social.worker@csc.northbridge.example', role: 'allocated_social_worker', startDaysAgo: 20 },
    ],
    enquiry: {
      person: 'chloe',
      by: 'mash.officer@csc.northbridge.example',
      reason: 'Pre-birth referral from the homelessness service: partner controlling and aggressive, missed antenatal appointments',
    },
  },
  {
    echoes: 'case study 5: a bereaved child at Hollin Lane Primary whose mother sees the drug and alcohol service (no consent to share)',
    recordedBy: 'dsl@hollinlane.northbridge.example',
    people: [
      {
        key: 'kerry', given: 'Kerry', family: 'Fletcher', sex: 'female', born: { yearsOld: 36, monthDay: '06-21' }, nhs: '9990412057',
        otherNames: [{ kind: 'birth', given: 'Kerry', family: 'Holt' }],
        address: { line1: '27 Hollin Lane', postcode: 'NB5 1AW', movedInDaysAgo: 3100 },
      },
      {
        key: 'jaydon', given: 'Jaydon', family: 'Fletcher', sex: 'male', born: { yearsOld: 9, monthDay: '03-07' }, nhs: '9990412065', upn: 'U999990116001',
        otherNames: [{ kind: 'alias', given: 'Jayden', family: 'Fletcher' }],
        address: { line1: '27 Hollin Lane', postcode: 'NB5 1AW', movedInDaysAgo: 3100 },
      },
      {
        key: 'mia', given: 'Mia', family: 'Fletcher', sex: 'female', born: { yearsOld: 4, monthDay: '10-05' }, nhs: '9990412073', upn: 'H999990116002',
        address: { line1: '27 Hollin Lane', postcode: 'NB5 1AW', movedInDaysAgo: 1600 },
      },
      {
        key: 'daniel', given: 'Daniel', family: 'Fletcher', sex: 'male', born: { yearsOld: 40, monthDay: '01-12' }, nhs: '9990412081',
        otherNames: [{ kind: 'preferred', given: 'Danny', family: 'Fletcher' }],
        address: { line1: '27 Hollin Lane', postcode: 'NB5 1AW', movedInDaysAgo: 3100, leftDaysAgo: 540 },
        diedDaysAgo: 540,
      },
    ],
    relationships: [
      ['kerry', 'partner', 'daniel', 4000],
      ['kerry', 'parent', 'jaydon'],
      ['kerry', 'parent', 'mia'],
      ['daniel', 'parent', 'jaydon'],
      ['daniel', 'parent', 'mia'],
      ['jaydon', 'sibling', 'mia'],
    ],
    households: [
      { address: { line1: '27 Hollin Lane', postcode: 'NB5 1AW' }, members: [['kerry', 3100], ['daniel', 3100, 540], ['jaydon', 3100], ['mia', 1600]] },
    ],
    involvements: [
      { person: 'jaydon', team: 'school.dsl', role: 'school', startDaysAgo: 1900 },
      { person: 'mia', team: 'school.dsl', role: 'school', startDaysAgo: 80 },
      { person: 'jaydon', team: 'school.dsl', practitioner: 'dsl@hollinlane.northbridge.example', role: 'designated_safeguarding_lead', startDaysAgo: 60 },
      {
        person: 'kerry', team: 'nhs.dat', service: 'dat', role: 'key_worker', startDaysAgo: 120, consentToShow: false,
      },
      { person: 'kerry', team: 'gp.gp', practitioner: 'gp@riverside.northbridge.example', role: 'gp', startDaysAgo: 3000 },
      { person: 'jaydon', team: 'gp.gp', role: 'gp', startDaysAgo: 3000 },
      { person: 'mia', team: 'gp.gp', role: 'gp', startDaysAgo: 1500 },
      { person: 'mia', team: 'nhs.hv', practitioner: 'health.visitor@nhs.northbridge.example', service: 'hv', role: 'health_visitor', startDaysAgo: 1500 },
      ...['kerry', 'jaydon', 'mia'].map((person) => ({
        person, team: 'vcs.fs', practitioner: 'family.support@familysupport.northbridge.example', service: 'fs', role: 'lead_professional',
        startDaysAgo: 45, earlyHelpAssessment: true,
      })),
    ],
  },
  {
    echoes: 'case studies 2 and 10: a mother fleeing domestic abuse with two children, now shielded in emergency accommodation',
    recordedBy: 'police.officer@police.northbridge.example',
    people: [
      {
        key: 'leanne', given: 'Leanne', family: 'Rowe', sex: 'female', born: { yearsOld: 29, monthDay: '08-14' }, nhs: '9990412103', shielded: true,
        otherNames: [{ kind: 'previous', given: 'Leanne', family: 'Bentley' }],
        address: { line1: 'Flat 5', line2: '2 Orchard Court', postcode: 'NB9 8JN', movedInDaysAgo: 12 },
        previousAddress: { line1: '41 Mill Street', postcode: 'NB2 5RX', fromDaysAgo: 2600, toDaysAgo: 13 },
      },
      {
        key: 'ruby', given: 'Ruby', family: 'Bentley', sex: 'female', born: { yearsOld: 7, monthDay: '12-01' }, nhs: '9990412111', upn: 'G999990119014', shielded: true,
        address: { line1: 'Flat 5', line2: '2 Orchard Court', postcode: 'NB9 8JN', movedInDaysAgo: 12 },
        previousAddress: { line1: '41 Mill Street', postcode: 'NB2 5RX', fromDaysAgo: 2500, toDaysAgo: 13 },
      },
      {
        key: 'alfie', given: 'Alfie', family: 'Bentley', sex: 'male', born: { yearsOld: 3, monthDay: '05-09' }, nhs: '9990412138', shielded: true,
        address: { line1: 'Flat 5', line2: '2 Orchard Court', postcode: 'NB9 8JN', movedInDaysAgo: 12 },
        previousAddress: { line1: '41 Mill Street', postcode: 'NB2 5RX', fromDaysAgo: 1200, toDaysAgo: 13 },
      },
      {
        key: 'craig', given: 'Craig', family: 'Bentley', sex: 'male', born: { yearsOld: 34, monthDay: '02-27' }, nhs: '9990412146',
        address: { line1: '41 Mill Street', postcode: 'NB2 5RX', movedInDaysAgo: 2600 },
      },
    ],
    relationships: [
      ['leanne', 'parent', 'ruby'],
      ['leanne', 'parent', 'alfie'],
      ['craig', 'parent', 'ruby'],
      ['craig', 'parent', 'alfie'],
      ['ruby', 'sibling', 'alfie'],
    ],
    // Leanne and the children left the family home; the refuge address is theirs alone (all three are shielded).
    households: [
      { address: { line1: '41 Mill Street', postcode: 'NB2 5RX' }, members: [['craig', 2600], ['leanne', 2600, 13], ['ruby', 2500, 13], ['alfie', 1200, 13]] },
      { label: 'Emergency accommodation', address: { line1: 'Flat 5', line2: '2 Orchard Court', postcode: 'NB9 8JN' }, members: [['leanne', 12], ['ruby', 12], ['alfie', 12]] },
    ],
    involvements: [
      { person: 'leanne', team: 'vcs.da', service: 'da', role: 'key_worker', startDaysAgo: 13, consentToShow: false },
      { person: 'leanne', team: 'police.pvp', practitioner: 'police.officer@police.northbridge.example', role: 'police_officer', startDaysAgo: 14 },
      { person: 'leanne', team: 'housing.tenancy', practitioner: 'housing.officer@homes.northbridge.example', role: 'housing_officer', startDaysAgo: 12 },
      { person: 'ruby', team: 'csc.fst', practitioner: 'social.worker@csc.northbridge.example', role: 'allocated_social_worker', startDaysAgo: 10 },
      { person: 'alfie', team: 'csc.fst', practitioner: 'social.worker@csc.northbridge.example', role: 'allocated_social_worker', startDaysAgo: 10 },
      { person: 'ruby', team: 'school.dsl', role: 'school', startDaysAgo: 1200 },
      { person: 'ruby', team: 'school.dsl', practitioner: 'dsl@hollinlane.northbridge.example', role: 'designated_safeguarding_lead', startDaysAgo: 11 },
      { person: 'alfie', team: 'nhs.hv', practitioner: 'health.visitor@nhs.northbridge.example', service: 'hv', role: 'health_visitor', startDaysAgo: 1100 },
      { person: 'leanne', team: 'gp.gp', practitioner: 'gp@riverside.northbridge.example', role: 'gp', startDaysAgo: 2000 },
      { person: 'craig', team: 'police.pvp', practitioner: 'police.officer@police.northbridge.example', role: 'police_officer', startDaysAgo: 14 },
      { person: 'craig', team: 'probation.om', practitioner: 'probation.officer@probation.northbridge.example', role: 'probation_officer', startDaysAgo: 400 },
    ],
  },
  {
    echoes: 'case study 1: a 15-year-old arrested for driving a stolen car, criminally at risk, with a history of running away',
    recordedBy: 'yjs.worker@yjs.northbridge.example',
    people: [
      {
        key: 'connor', given: 'Connor', family: 'Walsh', sex: 'male', born: { yearsOld: 15, monthDay: '07-04' }, nhs: '9990412154', upn: 'J999990121007',
        otherNames: [{ kind: 'alias', given: 'Conor', family: 'Walsh' }],
        address: { line1: '8 Beacon Road', postcode: 'NB7 2HL', movedInDaysAgo: 2200 },
      },
      {
        key: 'tracey', given: 'Tracey', family: 'Walsh', sex: 'female', born: { yearsOld: 42, monthDay: '11-10' }, nhs: '9990412162',
        address: { line1: '8 Beacon Road', postcode: 'NB7 2HL', movedInDaysAgo: 2200 },
      },
      {
        key: 'liam', given: 'Liam', family: 'Walsh', sex: 'male', born: { yearsOld: 11, monthDay: '02-03' }, nhs: '9990412170', upn: 'Y999990122011',
        address: { line1: '8 Beacon Road', postcode: 'NB7 2HL', movedInDaysAgo: 2200 },
      },
      {
        key: 'gary', given: 'Gary', family: 'Pritchard', sex: 'male', born: { yearsOld: 45, monthDay: '09-09' }, nhs: '9990412189',
        address: { line1: '8 Beacon Road', postcode: 'NB7 2HL', movedInDaysAgo: 900 },
      },
    ],
    relationships: [
      ['tracey', 'parent', 'connor'],
      ['tracey', 'parent', 'liam'],
      ['tracey', 'partner', 'gary', 1100],
      ['gary', 'step_parent', 'connor', 900],
      ['gary', 'step_parent', 'liam', 900],
      ['connor', 'sibling', 'liam'],
    ],
    households: [
      { address: { line1: '8 Beacon Road', postcode: 'NB7 2HL' }, members: [['tracey', 2200], ['connor', 2200], ['liam', 2200], ['gary', 900]] },
    ],
    involvements: [
      { person: 'connor', team: 'yjs.yjs', practitioner: 'yjs.worker@yjs.northbridge.example', role: 'youth_justice_worker', startDaysAgo: 50 },
      {
        person: 'connor', team: 'police.pvp', practitioner: 'police.officer@police.northbridge.example', role: 'police_officer',
        startDaysAgo: 70, endDaysAgo: 40, endReason: 'Referred to the youth justice service',
      },
      { person: 'connor', team: 'school.dsl', role: 'school', startDaysAgo: 4100, endDaysAgo: 1500, endReason: 'Moved on to secondary school' },
      { person: 'liam', team: 'school.dsl', role: 'school', startDaysAgo: 2600, endDaysAgo: 90, endReason: 'Moved on to secondary school' },
      {
        person: 'connor', team: 'csc.eh', practitioner: 'early.help@csc.northbridge.example', role: 'early_help_worker',
        startDaysAgo: 600, endDaysAgo: 420, endReason: 'Stepped down to universal services',
      },
      { person: 'connor', team: 'gp.gp', role: 'gp', startDaysAgo: 2200 },
      { person: 'tracey', team: 'gp.gp', role: 'gp', startDaysAgo: 2200 },
      { person: 'liam', team: 'gp.gp', role: 'gp', startDaysAgo: 2200 },
    ],
  },
];

export interface DemoUserSummary {
  email: string;
  name: string;
  organisation: string;
  roles: string[];
}

export class DemoService {
  readonly #orgs: OrganisationRepository;
  readonly #users: UserRepository;
  readonly #settings: SettingRepository;
  readonly #frontDoor: FrontDoorRepository | undefined;
  readonly #directory: DirectoryRepository | undefined;
  readonly #earlyHelp: EarlyHelpRepository | undefined;
  readonly #audit: AuditService;
  readonly #box: SecretBox;
  readonly #people: PeopleRepository;
  readonly #sharing: SharingRepository;
  readonly #agencyFeeds: (() => { feeds: FeedService; linking: LinkingService }) | undefined;

  constructor(deps: {
    organisations: OrganisationRepository;
    people: PeopleRepository;
    sharing: SharingRepository;
    users: UserRepository;
    settings: SettingRepository;
    frontDoor?: FrontDoorRepository;
    directory?: DirectoryRepository;
    earlyHelp?: EarlyHelpRepository;
    audit: AuditService;
    secretBox: SecretBox;
    /** The feeds and linking services, for the demo's agency records (given late: they are made after the demo service). */
    agencyFeeds?: () => { feeds: FeedService; linking: LinkingService };
  }) {
    this.#orgs = deps.organisations;
    this.#users = deps.users;
    this.#settings = deps.settings;
    this.#frontDoor = deps.frontDoor;
    this.#directory = deps.directory;
    this.#earlyHelp = deps.earlyHelp;
    this.#audit = deps.audit;
    this.#box = deps.secretBox;
    this.#people = deps.people;
    this.#sharing = deps.sharing;
    this.#agencyFeeds = deps.agencyFeeds;
  }

  async isLoaded(): Promise<boolean> {
    return Boolean(await this.#settings.get(DEMO_SETTING));
  }

  /**
   * Loads the demo partnership into an empty database. Refuses a database that already holds
   * organisations which are not the demo's, so it never mixes with real data.
   */
  async load(): Promise<'loaded' | 'already-loaded' | 'not-empty'> {
    if (await this.isLoaded()) return 'already-loaded';
    if ((await this.#orgs.list()).length > 0) return 'not-empty';
    const now = new Date();
    const orgIds = new Map<string, string>();
    const teamIds = new Map<string, string>();
    for (const o of ORGS) {
      const id = newId();
      orgIds.set(o.key, id);
      await this.#orgs.insert(
        id,
        {
          name: o.name,
          typeCode: o.typeCode,
          officialCode: o.officialCode,
          emailDomain: o.emailDomain,
          oidcIssuer: null,
          oidcClientId: null,
          active: true,
        },
        now,
      );
      for (const t of o.teams) {
        const teamId = newId();
        teamIds.set(`${o.key}.${t.key}`, teamId);
        await this.#orgs.insertTeam({ id: teamId, organisationId: id, name: t.name, email: t.email, phone: t.phone }, now);
      }
    }
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    const userIds = new Map<string, string>();
    for (const u of USERS) {
      const id = newId();
      userIds.set(u.email, id);
      await this.#users.insert(
        {
          id,
          organisationId: orgIds.get(u.org)!,
          email: u.email,
          displayName: u.name,
          jobTitle: u.jobTitle,
          phone: u.phone,
          status: 'active',
          passwordHash,
          isDemo: true,
          roles: u.roles,
          teamIds: u.teams.map((t) => teamIds.get(`${u.org}.${t}`)!),
        },
        now,
      );
      await this.#users.setTotp(id, this.#box.encrypt(generateTotpSecret()), null, now);
    }
    const people = await this.#loadFamilies(now, orgIds, teamIds, userIds);
    await this.#loadAgencyRecords(now, orgIds);
    await this.#loadAgreements(now, orgIds, userIds);
    if (this.#frontDoor) await loadFrontDoorDemo(this.#frontDoor, now, orgIds, userIds);
    if (this.#directory) await loadDirectoryDemo(this.#directory, now, orgIds);
    if (this.#earlyHelp) await loadEarlyHelpDemo(this.#earlyHelp, now, userIds, orgIds);
    await this.#settings.set(DEMO_SETTING, { loadedAt: now.toISOString(), version: 2 });
    await this.#audit.record({
      actor: SYSTEM_ACTOR,
      action: 'demo.load',
      outcome: 'success',
      details: { organisations: ORGS.length, practitioners: USERS.length, families: FAMILIES.length, people },
    });
    return 'loaded';
  }

  /** The demo families: people, relationships, involvements by the demo practitioners, one open MASH enquiry. */
  async #loadFamilies(now: Date, orgIds: Map<string, string>, teamIds: Map<string, string>, userIds: Map<string, string>): Promise<number> {
    const DAY = 86_400_000;
    const daysAgo = (n: number) => new Date(now.getTime() - n * DAY).toISOString().slice(0, 10);
    const today = now.toISOString().slice(0, 10);
    const born = (w: When): string => {
      if ('expectedInDays' in w) return daysAgo(-w.expectedInDays);
      // The given age on the load date, born on the given day of the year.
      const year = now.getUTCFullYear() - w.yearsOld - (`${now.getUTCFullYear()}-${w.monthDay}` > today ? 1 : 0);
      return `${year}-${w.monthDay}`;
    };
    const ageInDays = (w: When) => Math.max(0, Math.round((now.getTime() - Date.parse(born(w))) / DAY));
    const check = (r: { ok: true; value: string } | { ok: false; message: string }, what: string) => {
      if (!r.ok) throw new Error(`Demo data: ${what}: ${r.message}`);
      return r.value;
    };
    const serviceIds = new Map<string, string>();
    for (const sv of SERVICES) {
      const id = newId();
      serviceIds.set(sv.key, id);
      await this.#people.insertService(
        { id, organisationId: orgIds.get(sv.org)!, name: sv.name, category: sv.category, sensitiveKind: sv.sensitiveKind, email: sv.email, phone: sv.phone },
        now,
      );
    }
    const user = (email: string) => {
      const id = userIds.get(email);
      if (!id) throw new Error(`Demo data: no demo practitioner ${email}`);
      return id;
    };
    const types = new Map((await this.#people.relationshipTypes()).map((t) => [t.code, t.inverseCode]));
    let count = 0;
    for (const family of FAMILIES) {
      const recorder = user(family.recordedBy);
      const subjectIds = new Map<string, string>();
      for (const p of family.people) {
        const subjectId = newId();
        subjectIds.set(p.key, subjectId);
        const names = [{ kind: 'current' as const, given: p.given, family: p.family }, ...(p.otherNames ?? [])];
        const person: NewPerson = {
          subjectId,
          sex: p.sex,
          gender: null,
          dateOfBirth: born(p.born),
          dobPrecision: 'expectedInDays' in p.born ? 'expected' : 'exact',
          shielded: p.shielded ?? false,
          deceased: p.diedDaysAgo !== undefined,
          dateOfDeath: p.diedDaysAgo !== undefined ? daysAgo(p.diedDaysAgo) : null,
          createdBy: recorder,
          requestKey: null,
          names: names.map((n) => ({ id: newId(), kind: n.kind, givenNames: n.given, familyName: n.family, ...nameKeys(n.given, n.family) })),
          identifiers: [
            ...(p.nhs ? [{ id: newId(), scheme: 'nhs_number' as const, value: check(validateNhsNumber(p.nhs), `${p.key}'s NHS number`), organisationId: null }] : []),
            ...(p.upn ? [{ id: newId(), scheme: 'upn' as const, value: check(validateUpn(p.upn), `${p.key}'s UPN`), organisationId: null }] : []),
          ],
          addresses: [p.previousAddress, p.address]
            .filter((a) => a !== undefined)
            .map((a) => ({
              id: newId(),
              line1: a.line1,
              line2: a.line2 ?? null,
              town: 'Northbridge',
              postcode: check(validatePostcode(a.postcode), `${p.key}'s postcode`),
              // Nobody lived anywhere before they were born.
              fromDate: daysAgo(Math.min('movedInDaysAgo' in a ? a.movedInDaysAgo : a.fromDaysAgo, ageInDays(p.born))),
              toDate: 'toDaysAgo' in a ? daysAgo(a.toDaysAgo) : a.leftDaysAgo !== undefined ? daysAgo(a.leftDaysAgo) : null,
            })),
        };
        await this.#people.insertPerson(person, now);
        count++;
      }
      for (const [from, type, to, fromDaysAgo] of family.relationships) {
        await this.#people.insertRelationship(
          { subjectId: subjectIds.get(from)!, relatedSubjectId: subjectIds.get(to)!, type, inverseType: types.get(type)!, fromDate: fromDaysAgo === undefined ? null : daysAgo(fromDaysAgo), createdBy: recorder },
          { pairId: newId(), forward: newId(), backward: newId() },
          now,
        );
      }
      for (const h of family.households) {
        const householdId = newId();
        const member = (key: string) => {
          const p = family.people.find((x) => x.key === key);
          if (!p) throw new Error(`Demo data: no ${key} in the household`);
          return { subjectId: subjectIds.get(key)!, born: p.born };
        };
        await this.#people.insertHousehold(
          {
            id: householdId,
            label: h.label ?? null,
            address: { line1: h.address.line1, line2: h.address.line2 ?? null, town: 'Northbridge', postcode: check(validatePostcode(h.address.postcode), 'a household postcode') },
            createdBy: recorder,
          },
          // Nobody moved in before they were born.
          h.members.map(([key, fromDaysAgo]) => ({ id: newId(), subjectId: member(key).subjectId, fromDate: daysAgo(Math.min(fromDaysAgo, ageInDays(member(key).born))) })),
          now,
        );
        for (const [key, , toDaysAgo] of h.members) {
          if (toDaysAgo !== undefined) await this.#people.endHouseholdMember(householdId, member(key).subjectId, daysAgo(toDaysAgo), recorder);
        }
      }
      for (const i of family.involvements) {
        const [org] = i.team.split('.');
        const id = newId();
        const by = i.practitioner ? user(i.practitioner) : recorder;
        await this.#people.insertInvolvement(
          {
            subjectId: subjectIds.get(i.person)!,
            id,
            organisationId: orgIds.get(org!)!,
            serviceId: i.service ? serviceIds.get(i.service)! : null,
            teamId: teamIds.get(i.team)!,
            practitionerId: i.practitioner ? user(i.practitioner) : null,
            role: i.role,
            startDate: daysAgo(i.startDaysAgo),
            endDate: null,
            earlyHelpAssessment: i.earlyHelpAssessment ?? false,
            consentToShow: i.consentToShow ?? false,
            createdBy: by,
          },
          now,
        );
        if (i.endDaysAgo !== undefined) {
          await this.#people.endInvolvement(subjectIds.get(i.person)!, id, daysAgo(i.endDaysAgo), by, i.endReason ?? null);
        }
      }
      if (family.enquiry) {
        const by = user(family.enquiry.by);
        await this.#people.openEnquiry(
          { subjectId: subjectIds.get(family.enquiry.person)!, id: newId(), organisationId: orgIds.get(USERS.find((u) => u.email === family.enquiry!.by)!.org)!, openedBy: by, reason: family.enquiry.reason },
          now,
        );
      }
    }
    return count;
  }

  /**
   * Agency records for two demo families (src/family-summary/demo-records.ts), sent as the agencies'
   * systems would: each agency's feeds imported (people first), then its people records linked to the
   * demo people by the linking service, which carries them to the records about each person.
   */
  async #loadAgencyRecords(now: Date, orgIds: Map<string, string>): Promise<void> {
    if (!this.#agencyFeeds) return;
    const { feeds, linking } = this.#agencyFeeds();
    const DAY = 86_400_000;
    const daysAgo = (n: number) => new Date(now.getTime() - n * DAY).toISOString().slice(0, 10);
    const today = daysAgo(0);
    const facts = new Map<string, DemoPersonFacts>();
    for (const p of FAMILIES.flatMap((f) => f.people)) {
      if (!p.nhs || 'expectedInDays' in p.born) continue;
      // As #loadFamilies: the given age on the load date.
      const year = now.getUTCFullYear() - p.born.yearsOld - (`${now.getUTCFullYear()}-${p.born.monthDay}` > today ? 1 : 0);
      facts.set(p.key, { given: p.given, family: p.family, dateOfBirth: `${year}-${p.born.monthDay}`, nhs: p.nhs });
    }
    const ctx = { requestId: 'demo-load', ip: null };
    for (const a of DEMO_AGENCY_RECORDS) {
      const organisationId = orgIds.get(a.org)!;
      const csv = demoAgencyCsv(a, facts, daysAgo);
      for (const kind of ['people', 'involvements', 'contacts', 'events'] as const) {
        const body = csv[kind];
        if (body === null) continue;
        const feed = await feeds.create('operator', { name: `${a.name} (${kind})`, kind, format: 'csv', mapping: DEMO_FEED_MAPPINGS[kind] }, organisationId);
        const run = await feeds.import('operator', feed, (async function* () { yield body; })());
        if (run.rowsRejected) throw new Error(`Demo data: ${a.name}: ${run.rowsRejected} ${kind} rows refused`);
      }
      const linked = await linking.run('operator', organisationId, ctx);
      if (linked.linked.length !== a.people.length) throw new Error(`Demo data: ${a.name}: linked ${linked.linked.length} of ${a.people.length} people records`);
    }
  }

  /**
   * The demo's information sharing agreements (all invented): an active safeguarding agreement
   * between children's services, the police and the community health trust; an early help
   * agreement whose review is due in 12 days; and a draft for domestic abuse, not yet signed.
   * Signatures of parties with no IG lead in the demo are recorded as from a paper copy.
   */
  async #loadAgreements(now: Date, orgIds: Map<string, string>, userIds: Map<string, string>): Promise<void> {
    const DAY = 86_400_000;
    const day = (offset: number) => new Date(now.getTime() + offset * DAY).toISOString().slice(0, 10);
    const createdBy = userIds.get('ig.lead@csc.northbridge.example')!;
    const agreements: Array<{
      reference: string;
      title: string;
      status: 'draft' | 'active';
      parties: Array<{ org: string; name: string; role: string; signedDaysAgo?: number; by?: string }>;
      purposes: string[];
      legalBases: string[];
      categories: string[];
      retention: string;
      startDaysAgo: number;
      reviewInDays: number;
      notes?: string;
    }> = [
      {
        reference: 'NB-ISA-001',
        title: 'Safeguarding children in Northbridge: children\'s services, police and community health',
        status: 'active',
        parties: [
          { org: 'csc', name: 'Helen Carver', role: 'Caldicott guardian', signedDaysAgo: 410, by: 'ig.lead@csc.northbridge.example' },
          { org: 'police', name: 'Det Supt Claire Whitlow', role: 'Head of Public Protection', signedDaysAgo: 408 },
          { org: 'nhs', name: 'Dr Priya Nair', role: 'Caldicott guardian', signedDaysAgo: 405 },
        ],
        purposes: ['safeguarding_child', 'mash_enquiry'],
        legalBases: ['gdpr_6_1_e', 'gdpr_9_2_g', 'dpa_sch1_p18_offence', 'ca1989_s47', 'ca2004_s11'],
        categories: ['identity', 'whereabouts', 'family', 'involvements', 'contacts', 'social_care', 'police', 'health'],
        retention: 'Kept with the child\'s case record until their 25th birthday (or 6 years after death), then securely destroyed',
        startDaysAgo: 400,
        reviewInDays: 180,
      },
      {
        reference: 'NB-ISA-002',
        title: 'Early help in Northbridge: schools, children\'s services and family support',
        status: 'active',
        parties: [
          { org: 'csc', name: 'Helen Carver', role: 'Caldicott guardian', signedDaysAgo: 720, by: 'ig.lead@csc.northbridge.example' },
          { org: 'school', name: 'Joanne Pike', role: 'Headteacher', signedDaysAgo: 718 },
          { org: 'vcs', name: 'Martin Osei', role: 'Chief executive', signedDaysAgo: 715 },
        ],
        purposes: ['early_help', 'education'],
        legalBases: ['gdpr_6_1_e', 'ca2004_s10'],
        categories: ['identity', 'family', 'involvements', 'contacts', 'education', 'social_care', 'voluntary'],
        retention: 'Kept for 3 years after the early help plan closes, then securely destroyed',
        startDaysAgo: 730,
        reviewInDays: 12,
      },
      {
        reference: 'NB-ISA-003',
        title: 'Domestic abuse: safe accommodation and risk assessment',
        status: 'draft',
        parties: [
          { org: 'csc', name: 'Helen Carver', role: 'Caldicott guardian' },
          { org: 'police', name: 'Det Supt Claire Whitlow', role: 'Head of Public Protection' },
          { org: 'housing', name: 'Sunita Rao', role: 'Data protection officer' },
          { org: 'vcs', name: 'Martin Osei', role: 'Chief executive' },
        ],
        purposes: ['safeguarding_adult', 'safeguarding_child', 'housing_support'],
        legalBases: ['gdpr_6_1_e', 'dpa_sch1_p18_offence', 'care2014_s42', 'cda1998_s115'],
        categories: ['identity', 'whereabouts', 'family', 'contacts', 'police', 'housing', 'voluntary'],
        retention: 'Kept for 6 years after the last risk assessment, then securely destroyed',
        startDaysAgo: -14,
        reviewInDays: 351,
        notes: 'Draft for the partnership board; replaces the paper MARAC protocol',
      },
    ];
    for (const a of agreements) {
      const id = newId();
      await this.#sharing.insertAgreement(
        {
          id,
          reference: a.reference,
          title: a.title,
          purposes: a.purposes,
          legal_bases: a.legalBases,
          categories: a.categories,
          retention: a.retention,
          start_date: day(-a.startDaysAgo),
          end_date: null,
          review_date: day(a.reviewInDays),
          status: a.status,
          notes: a.notes ?? null,
          created_by: createdBy,
          created_at: now,
          updated_at: now,
          last_reviewed_at: null,
          last_reminded_at: null,
        },
        a.parties.map((p) => ({ organisationId: orgIds.get(p.org)!, signatoryName: p.name, signatoryRole: p.role })),
      );
      for (const p of a.parties) {
        if (p.signedDaysAgo === undefined) continue;
        await this.#sharing.signAgreement(id, orgIds.get(p.org)!, {
          signatoryName: p.name,
          signatoryRole: p.role,
          by: p.by ? userIds.get(p.by)! : null,
          at: new Date(now.getTime() - p.signedDaysAgo * DAY),
        });
      }
    }
  }

  async users(): Promise<DemoUserSummary[]> {
    if (!(await this.isLoaded())) return [];
    const users = await this.#users.listDemo();
    return users.map((u) => ({ email: u.email, name: u.displayName, organisation: u.organisationName, roles: u.roles }));
  }

  /** The current code of a demo account. Refused outside a demo partnership and for any real account. */
  async code(email: string): Promise<{ code: string; secondsLeft: number }> {
    if (!(await this.isLoaded())) {
      throw new ValidationError({ email: 'The demo partnership is not loaded in this database, so demo codes are not available' });
    }
    const user = await this.#users.findByEmail(email);
    if (!user || !user.isDemo) throw new ValidationError({ email: `${email} is not a demo account` });
    if (!user.totpSecret) {
      throw new ValidationError({ email: `${email} has no authenticator set up (it was reset): sign in to enrol again` });
    }
    await this.#audit.record({
      actor: { userId: null, label: 'cli', organisationId: null, roles: [] },
      action: 'demo.code',
      outcome: 'success',
      subjectType: 'practitioner',
      subjectId: user.id,
    });
    const now = Date.now();
    return { code: totpCode(this.#box.decrypt(user.totpSecret), now), secondsLeft: 30 - (Math.floor(now / 1000) % 30) };
  }
}
