/**
 * Agency records for two of the demo families (all invented), sent by DemoService through the real
 * feeds and the linking service so the family summary's chronology shows records from several
 * agencies over several years: missing episodes, school absences, emergency department attendances,
 * domestic incidents (echoing case studies 1 and 6). Pure: CSV text built from days before the load.
 */

/** The demo people these records are about, by the demo's person key (see FAMILIES in demo-service.ts). */
export const DEMO_RECORD_PEOPLE = ['chloe', 'tyler', 'connor', 'tracey', 'liam', 'gary'] as const;
export type DemoRecordPerson = (typeof DEMO_RECORD_PEOPLE)[number];

interface Rec {
  person: DemoRecordPerson;
  daysAgo: number;
  type: string;
  notes: string;
  endDaysAgo?: number;
  /** Involvements: who the agency's system names, and how to reach them (invented; phone numbers from Ofcom's drama range). */
  practitioner?: string;
  team?: string;
  phone?: string;
  email?: string;
}

export interface DemoAgencyRecords {
  /** The demo organisation's key (ORGS in demo-service.ts). */
  org: 'police' | 'school' | 'nhs';
  name: string;
  people: DemoRecordPerson[];
  events: Rec[];
  contacts: Rec[];
  involvements: Rec[];
}

export const DEMO_AGENCY_RECORDS: DemoAgencyRecords[] = [
  {
    org: 'police',
    name: 'Demo police incidents',
    people: ['chloe', 'tyler', 'connor', 'tracey', 'gary'],
    events: [
      // Chloe Marsh and Tyler Quinn (case study 6).
      { person: 'chloe', daysAgo: 2280, type: 'Missing person (child)', notes: 'Chloe, then 13, missing overnight after an argument at home; found at a friend\'s flat' },
      { person: 'chloe', daysAgo: 2150, type: 'Missing person (child)', notes: 'Missing for two days; seen with older males in the town centre' },
      { person: 'chloe', daysAgo: 1720, type: 'Anti-social behaviour', notes: 'Group drinking in the park, Chloe among them; words of advice' },
      { person: 'tyler', daysAgo: 1900, type: 'Domestic incident', notes: 'Neighbour called to a previous partner\'s address: shouting heard; no offences disclosed' },
      { person: 'tyler', daysAgo: 1640, type: 'Domestic incident', notes: 'Previous partner said she was pushed; she declined to support a prosecution' },
      { person: 'tyler', daysAgo: 1410, type: 'ASB', notes: 'Noise and abuse towards neighbours at Wharf Street flats' },
      { person: 'tyler', daysAgo: 1090, type: 'Arrest', notes: 'Criminal damage at a pub; cautioned' },
      { person: 'tyler', daysAgo: 800, type: 'Domestic incident', notes: 'Previous partner: threats by text message; DASH risk assessment medium' },
      { person: 'tyler', daysAgo: 430, type: 'antisocial behaviour', notes: 'Community protection warning after repeated nuisance riding a motorbike on the estate' },
      { person: 'chloe', daysAgo: 205, type: 'Domestic incident', notes: 'Chloe seen with bruising by a neighbour at the caravan park; denied an assault by Tyler Quinn' },
      { person: 'tyler', daysAgo: 190, type: 'Arrest', notes: 'Assault on a man outside a shop; charged' },
      { person: 'tyler', daysAgo: 122, type: 'Court outcome', notes: 'Convicted of assault by beating; community order for 12 months' },
      { person: 'chloe', daysAgo: 58, type: 'Domestic incident', notes: 'Staff at the temporary accommodation reported shouting; Tyler Quinn had left before officers arrived' },
      // The Walsh family (case study 1).
      { person: 'connor', daysAgo: 1310, type: 'Missing person (child)', notes: 'Connor, then 11, missing six hours; found in the town centre' },
      { person: 'connor', daysAgo: 905, type: 'Missing person (child)', notes: 'Missing overnight; brought back by an adult not known to the family' },
      { person: 'connor', daysAgo: 850, type: 'Anti-social behaviour', notes: 'Group of youths throwing stones at buses; Connor named by the driver' },
      { person: 'connor', daysAgo: 610, type: 'Missing person (child)', notes: 'Missing two nights; found in another town with older youths, suspected county lines' },
      { person: 'connor', daysAgo: 560, type: 'ASB', notes: 'Youth nuisance at the precinct; parent letter sent' },
      { person: 'connor', daysAgo: 300, type: 'Missing person (child)', notes: 'Missing from 8pm to 3am; would not say where he had been' },
      { person: 'connor', daysAgo: 72, type: 'Arrest', notes: 'Driving a stolen car; released under investigation' },
      { person: 'gary', daysAgo: 2000, type: 'Domestic incident', notes: 'With a previous partner in another force area: threats to kill recorded' },
      { person: 'tracey', daysAgo: 1050, type: 'Domestic incident', notes: 'Verbal argument with Gary Pritchard; he left the address' },
      { person: 'tracey', daysAgo: 700, type: 'Domestic incident', notes: 'Gary Pritchard damaged a door; both children present' },
      { person: 'tracey', daysAgo: 400, type: 'Domestic incident', notes: 'Threats by Gary Pritchard; DASH risk high; referred to MARAC' },
      { person: 'gary', daysAgo: 150, type: 'Anti social behaviour', notes: 'Neighbour dispute: shouting and abuse in the street' },
    ],
    contacts: [],
    involvements: [],
  },
  {
    org: 'school',
    name: 'Demo school attendance and safeguarding',
    people: ['connor', 'liam'],
    events: [
      { person: 'connor', daysAgo: 1800, type: 'Persistent absence', notes: 'Attendance 84% in the autumn term' },
      { person: 'connor', daysAgo: 1700, type: 'Suspension', notes: 'One day, fighting in the playground' },
      { person: 'connor', daysAgo: 1610, type: 'Persistent absence', notes: 'Attendance 79% in the spring term; often late' },
      { person: 'liam', daysAgo: 1010, type: 'Attendance concern', notes: 'Attendance 88%; letter to parent' },
      { person: 'liam', daysAgo: 690, type: 'Safeguarding concern', notes: 'Liam said he hides in his room when the adults shout' },
      { person: 'liam', daysAgo: 400, type: 'Persistent absence', notes: 'Attendance 81%; often absent on Mondays' },
      { person: 'liam', daysAgo: 160, type: 'Persistent absence', notes: 'Attendance 76% in the spring term' },
      { person: 'liam', daysAgo: 100, type: 'Transition meeting', notes: 'Handover to the secondary school\'s safeguarding lead' },
    ],
    contacts: [
      { person: 'connor', daysAgo: 1605, type: 'Meeting with parent', notes: 'Tracey Walsh attended an attendance meeting' },
      { person: 'liam', daysAgo: 395, type: 'Meeting with parent', notes: 'Attendance meeting; Tracey Walsh did not attend' },
    ],
    involvements: [],
  },
  {
    org: 'nhs',
    name: 'Demo community health contacts',
    people: ['chloe', 'tyler', 'connor', 'tracey', 'liam'],
    events: [
      { person: 'chloe', daysAgo: 1500, type: 'Emergency department attendance', notes: 'Intoxicated, aged 15; brought in by ambulance' },
      { person: 'chloe', daysAgo: 700, type: 'Emergency department attendance', notes: 'Paracetamol overdose; discharged with a mental health follow-up' },
      { person: 'chloe', daysAgo: 650, type: 'Mental health assessment', notes: 'Low mood; did not attend the follow-up' },
      { person: 'chloe', daysAgo: 210, type: 'Emergency department attendance', notes: 'Injury to the wrist; said she fell' },
      { person: 'chloe', daysAgo: 55, type: 'Missed antenatal appointment', notes: 'Did not attend; no answer by phone' },
      { person: 'chloe', daysAgo: 41, type: 'Missed antenatal appointment', notes: 'Did not attend; partner answered and said she was unwell' },
      { person: 'tyler', daysAgo: 1000, type: 'Emergency department attendance', notes: 'Hand injury after a fight' },
      { person: 'tyler', daysAgo: 350, type: 'Emergency department attendance', notes: 'Alcohol-related head injury; brief intervention offered, declined' },
      { person: 'connor', daysAgo: 1200, type: 'Emergency department attendance', notes: 'Cut hand at 2am; brought in by police' },
      { person: 'connor', daysAgo: 612, type: 'Emergency department attendance', notes: 'Alcohol intoxication, aged 13' },
      { person: 'connor', daysAgo: 70, type: 'Emergency department attendance', notes: 'Facial injury after the stolen car crashed' },
      { person: 'tracey', daysAgo: 710, type: 'Emergency department attendance', notes: 'Bruised ribs; said she fell on the stairs' },
      { person: 'tracey', daysAgo: 405, type: 'Emergency department attendance', notes: 'Head injury; would not say how' },
      { person: 'tracey', daysAgo: 300, type: 'Mental health assessment', notes: 'Anxiety and low mood; referred for talking therapy' },
      { person: 'liam', daysAgo: 500, type: 'Community paediatrics', notes: 'Referred for low weight; seen with his mother' },
    ],
    contacts: [
      { person: 'chloe', daysAgo: 30, type: 'Antenatal booking', notes: 'Late booking at 24 weeks' },
    ],
    involvements: [
      {
        person: 'chloe',
        daysAgo: 30,
        type: 'Community midwife',
        notes: 'Antenatal care',
        practitioner: 'Jo Whitfield',
        team: 'Northbridge community midwives',
        phone: '01632 960 214',
        email: 'community.midwives@nhs.northbridge.example',
      },
      {
        person: 'liam',
        daysAgo: 500,
        endDaysAgo: 330,
        type: 'Community paediatrician',
        notes: 'Weight monitoring; discharged',
        practitioner: 'Dr Priya Raman',
        team: 'Community paediatrics',
        phone: '01632 960 388',
      },
    ],
  },
];

const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const rows = (header: string[], body: string[][]) => [header, ...body].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';

export interface DemoPersonFacts {
  given: string;
  family: string;
  dateOfBirth: string;
  nhs: string;
}

/** The CSV text of one agency's feeds: people first, then involvements, contacts and events (absent when none). */
export function demoAgencyCsv(a: DemoAgencyRecords, people: ReadonlyMap<string, DemoPersonFacts>, daysAgo: (n: number) => string) {
  const ref = (p: string) => `${a.org.toUpperCase()}-${p}`;
  const person = (p: string) => {
    const f = people.get(p);
    if (!f) throw new Error(`Demo data: no demo person ${p}`);
    return f;
  };
  let n = 0;
  const id = (kind: string) => `${a.org.toUpperCase()}-${kind}-${String(++n).padStart(3, '0')}`;
  return {
    people: rows(['Ref', 'First', 'Last', 'Born', 'NHS'], a.people.map((p) => [ref(p), person(p).given, person(p).family, person(p).dateOfBirth, person(p).nhs])),
    involvements: a.involvements.length
      ? rows(
          ['Ref', 'Person', 'Role', 'Practitioner', 'Team', 'Phone', 'Email', 'Start', 'End', 'Notes'],
          a.involvements.map((r) => [
            id('I'),
            ref(r.person),
            r.type,
            r.practitioner ?? '',
            r.team ?? '',
            r.phone ?? '',
            r.email ?? '',
            daysAgo(r.daysAgo),
            r.endDaysAgo === undefined ? '' : daysAgo(r.endDaysAgo),
            r.notes,
          ]),
        )
      : null,
    contacts: a.contacts.length ? rows(['Ref', 'Person', 'Date', 'Type', 'Notes'], a.contacts.map((r) => [id('C'), ref(r.person), daysAgo(r.daysAgo), r.type, r.notes])) : null,
    events: rows(['Ref', 'Person', 'Date', 'End', 'Type', 'Notes'], a.events.map((r) => [id('E'), ref(r.person), daysAgo(r.daysAgo), r.endDaysAgo === undefined ? '' : daysAgo(r.endDaysAgo), r.type, r.notes])),
  };
}

/** The feed mappings matching the CSV above. */
export const DEMO_FEED_MAPPINGS = {
  people: { fields: { sourceRecordId: 'Ref', givenNames: 'First', familyName: 'Last', dateOfBirth: 'Born', nhsNumber: 'NHS' }, dateFormat: 'YYYY-MM-DD' },
  involvements: {
    fields: { sourceRecordId: 'Ref', personRecordId: 'Person', role: 'Role', practitionerName: 'Practitioner', teamName: 'Team', phone: 'Phone', email: 'Email', startDate: 'Start', endDate: 'End', description: 'Notes' },
    dateFormat: 'YYYY-MM-DD',
  },
  contacts: { fields: { sourceRecordId: 'Ref', personRecordId: 'Person', startDate: 'Date', eventType: 'Type', description: 'Notes' }, dateFormat: 'YYYY-MM-DD' },
  events: { fields: { sourceRecordId: 'Ref', personRecordId: 'Person', startDate: 'Date', endDate: 'End', eventType: 'Type', description: 'Notes' }, dateFormat: 'YYYY-MM-DD' },
} as const;
