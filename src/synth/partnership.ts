/**
 * The agencies of a synthetic partnership, sized to its population: councils (children's and
 * adults' social care, youth justice, housing), a police force, NHS trusts (community, mental
 * health, acute), GP practices, schools, probation delivery units and voluntary organisations,
 * with their teams, services (some of them sensitive) and practitioners.
 *
 * Everything is invented: the county, towns, organisations and people do not exist. Phone numbers
 * are from Ofcom's ranges reserved for drama, email domains end in .example, and official codes are
 * shaped like real ones but from blocks no real organisation holds.
 */
import type { IdSource } from './random.ts';
import { Rng } from './random.ts';
import { givenName, surname } from './names.ts';
import { TOWNS } from './places.ts';

export type TeamKind =
  | 'mash' | 'assessment' | 'fst' | 'early_help' | 'children_in_care' | 'ig'
  | 'asc'
  | 'yjs'
  | 'tenancy' | 'homelessness'
  | 'police_mash' | 'ppu' | 'neighbourhood' | 'da_police'
  | 'hv' | 'school_nursing' | 'sexual_health' | 'substance_misuse'
  | 'midwifery'
  | 'camhs' | 'cmht'
  | 'gp'
  | 'school_primary' | 'school_secondary'
  | 'probation'
  | 'family_support' | 'da_support' | 'counselling' | 'young_carers';

export type ServiceKind =
  | 'csc' | 'early_help' | 'asc' | 'hv' | 'school_nursing' | 'midwifery' | 'sexual_health' | 'substance_misuse'
  | 'camhs' | 'cmht' | 'da_support' | 'family_support' | 'counselling' | 'yjs' | 'housing';

export interface SynthOrganisation {
  id: string;
  name: string;
  typeCode: string;
  officialCode: string;
  emailDomain: string;
}

export interface SynthTeam {
  id: string;
  organisationId: string;
  name: string;
  email: string;
  phone: string;
  kind: TeamKind;
  council: number;
  members: string[];
  serviceId: string | null;
  /** For a school: its four-digit establishment number (used in pupils' UPNs). */
  establishment?: string;
}

export interface SynthService {
  id: string;
  organisationId: string;
  name: string;
  category: string;
  sensitiveKind: string | null;
  email: string;
  phone: string;
}

export interface SynthUser {
  id: string;
  organisationId: string;
  email: string;
  displayName: string;
  jobTitle: string;
  phone: string;
  roles: string[];
  teamIds: string[];
}

export interface Council {
  index: number;
  town: string;
  districts: number[];
  cscOrganisationId: string;
  teams: Map<TeamKind, SynthTeam[]>;
  gpPractices: SynthTeam[];
  primarySchools: SynthTeam[];
  secondarySchools: SynthTeam[];
}

/** Ofcom's drama ranges: numbers that are never allocated to a real line. */
const DRAMA_RANGES: ReadonlyArray<(n: number) => string> = [
  (n) => `01632 960 ${String(n).padStart(3, '0')}`,
  (n) => `07700 900${String(n).padStart(3, '0')}`,
  (n) => `0113 496 0${String(n).padStart(3, '0')}`,
  (n) => `0114 496 0${String(n).padStart(3, '0')}`,
  (n) => `0115 496 0${String(n).padStart(3, '0')}`,
  (n) => `0116 496 0${String(n).padStart(3, '0')}`,
  (n) => `0117 496 0${String(n).padStart(3, '0')}`,
  (n) => `0118 496 0${String(n).padStart(3, '0')}`,
  (n) => `0121 496 0${String(n).padStart(3, '0')}`,
  (n) => `0131 496 0${String(n).padStart(3, '0')}`,
  (n) => `0141 496 0${String(n).padStart(3, '0')}`,
  (n) => `0151 496 0${String(n).padStart(3, '0')}`,
  (n) => `0161 496 0${String(n).padStart(3, '0')}`,
  (n) => `020 7946 0${String(n).padStart(3, '0')}`,
  (n) => `0191 498 0${String(n).padStart(3, '0')}`,
];

const SCHOOL_ROOTS = (
  'Hollinbrook Alderbank Beaconsfold Chantry Dovecote Elmstead Foundry Garthside Heronsgate Ivybridge Juniper Kestrel Larchwood ' +
  'Millbrook Nettleford Orchard Pinfold Quarrybank Rowanfield Sandpits Tannery Vicarage Willowmead Yewtree Brookside Churchfields ' +
  'Meadowbank Hawthorn Cedarwood Springfield Wellgate Forge Windmill Coronation Jubilee Ropewalk Weavers Thistlebank Bramblefield ' +
  'Foxglove Marigold Larkrise Linnet Swallowfield Plover Curlew Moorland Holly Laurel Maple Poplar Sycamore Ashgrove Birchwood ' +
  'Oakfield Hazelmere Copperbeech Greenbank Riverside Castlefield Abbeygate Bridgefoot Marketside Newlands Westfield Eastfield'
).split(' ');
const SAINTS = 'Aidan Bede Chad Cuthbert Hilda Oswald Wilfrid Anselm Brigid Columba Dunstan Etheldreda Swithun Werburgh'.split(' ');

export interface PartnershipOptions {
  people: number;
  seed: number;
  /** 1 for the first synthetic partnership in a database; later forced runs get distinct names and codes. */
  run: number;
}

/**
 * Builds (in memory) the organisations, teams, services and practitioners for a population.
 * Deterministic for a seed and size.
 */
export class PartnershipBuilder {
  readonly organisations: SynthOrganisation[] = [];
  readonly teams: SynthTeam[] = [];
  readonly services: SynthService[] = [];
  readonly users: SynthUser[] = [];
  readonly councils: Council[] = [];
  /** Partnership-wide teams (police, mental health trust) by kind. */
  readonly shared = new Map<TeamKind, SynthTeam[]>();
  readonly #ids: IdSource;
  readonly #rng: Rng;
  readonly #run: number;
  readonly #emails = new Set<string>();
  readonly #orgNames = new Set<string>();
  #phone = 0;
  #schools = 0;
  #codes = new Map<string, number>();

  constructor(ids: IdSource, options: PartnershipOptions) {
    this.#ids = ids;
    this.#rng = new Rng(options.seed, 0x0a9);
    this.#run = options.run;
    this.#build(options.people);
  }

  get county(): string {
    return this.#run === 1 ? 'Brackenshire' : `Brackenshire ${this.#run}`;
  }

  #suffix(): string {
    return this.#run === 1 ? '' : ` (synthetic ${this.#run})`;
  }

  #nextPhone(): string {
    const n = this.#phone++;
    return DRAMA_RANGES[n % DRAMA_RANGES.length]!(Math.floor(n / DRAMA_RANGES.length) % 1000);
  }

  /** Official codes: each type from a block no real organisation uses, with the run number in it. */
  #code(type: string): string {
    const n = (this.#codes.get(type) ?? 0) + 1;
    this.#codes.set(type, n);
    const r = this.#run % 10;
    switch (type) {
      case 'childrens_social_care':
      case 'adult_social_care':
      case 'local_authority':
        return `E0698${r}${String(n).padStart(3, '0')}`;
      case 'police':
        return `P${r}${String(n).padStart(2, '0')}`;
      case 'nhs_trust':
        return `RX${r}${String(n).padStart(2, '0')}`;
      case 'gp_practice':
        return `Y9${r}${String(n).padStart(3, '0')}`;
      case 'school':
        return `98${r}${String(n).padStart(3, '0')}`;
      case 'housing':
        return `LH8${r}${String(n).padStart(2, '0')}`;
      case 'probation':
        return `N8${r}${String(n).padStart(2, '0')}`;
      case 'youth_justice':
        return `YJ8${r}${String(n).padStart(2, '0')}`;
      default:
        return `118${r}${String(n).padStart(4, '0')}`;
    }
  }

  #slug(text: string): string {
    return text.toLowerCase().replace(/&/g, 'and').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  }

  #org(name: string, typeCode: string, domainHint: string): SynthOrganisation {
    let full = `${name}${this.#suffix()}`;
    for (let i = 2; this.#orgNames.has(full.toLowerCase()); i++) full = `${name} ${i}${this.#suffix()}`;
    this.#orgNames.add(full.toLowerCase());
    const domain = `${this.#slug(domainHint)}${this.#run === 1 ? '' : `-r${this.#run}`}.synthetic.example`;
    const o: SynthOrganisation = { id: this.#ids.next(), name: full, typeCode, officialCode: this.#code(typeCode), emailDomain: domain };
    this.organisations.push(o);
    return o;
  }

  #service(o: SynthOrganisation, name: string, category: string, sensitiveKind: string | null): SynthService {
    const s: SynthService = {
      id: this.#ids.next(),
      organisationId: o.id,
      name,
      category,
      sensitiveKind,
      email: `${this.#slug(name)}@${o.emailDomain}`,
      phone: this.#nextPhone(),
    };
    this.services.push(s);
    return s;
  }

  #team(o: SynthOrganisation, name: string, kind: TeamKind, council: number, members: number, service: SynthService | null, job: JobSpec): SynthTeam {
    const t: SynthTeam = {
      id: this.#ids.next(),
      organisationId: o.id,
      name,
      email: `${this.#slug(name)}@${o.emailDomain}`,
      phone: this.#nextPhone(),
      kind,
      council,
      members: [],
      serviceId: service?.id ?? null,
    };
    this.teams.push(t);
    for (let i = 0; i < members; i++) {
      const lead = i === 0 && job.lead;
      this.#user(o, t, lead ? job.lead! : job);
    }
    return t;
  }

  #user(o: SynthOrganisation, t: SynthTeam, job: JobSpec): SynthUser {
    const sex = this.#rng.chance(0.7) ? 'female' : 'male';
    const year = 1960 + this.#rng.int(42);
    const given = givenName(this.#rng, sex, year);
    const family = surname(this.#rng);
    const local = `${given}.${family}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '');
    let email = `${local}@${o.emailDomain}`;
    for (let i = 2; this.#emails.has(email); i++) email = `${local}${i}@${o.emailDomain}`;
    this.#emails.add(email);
    const u: SynthUser = {
      id: this.#ids.next(),
      organisationId: o.id,
      email,
      displayName: `${job.title === 'GP' ? 'Dr ' : ''}${given} ${family}`,
      jobTitle: job.title,
      phone: this.#nextPhone(),
      roles: job.roles,
      teamIds: [t.id],
    };
    this.users.push(u);
    t.members.push(u.id);
    return u;
  }

  #build(people: number): void {
    const rng = this.#rng;
    const nCouncils = Math.max(1, Math.round(people / 250_000));
    const nDistricts = Math.max(nCouncils, Math.ceil(people / 25_000));
    const perCouncil = people / nCouncils;
    const scale = (per: number, min = 1) => Math.max(min, Math.round(perCouncil / per));
    const county = this.county;

    // Partnership-wide: the police force and the mental health trust.
    const police = this.#org(`${county} Police`, 'police', `police.${county}`);
    const policeMash = [this.#team(police, 'MASH Police Team', 'police_mash', -1, 3 + scale(200_000), null, JOBS.policeMash)];
    const ppu = [this.#team(police, 'Public Protection Unit', 'ppu', -1, 4 + scale(60_000), null, JOBS.police)];
    const daPolice = [this.#team(police, 'Domestic Abuse Investigation Team', 'da_police', -1, 3 + scale(80_000), null, JOBS.police)];
    this.shared.set('police_mash', policeMash).set('ppu', ppu).set('da_police', daPolice);

    const mhTrust = this.#org(`${county} Partnership NHS Foundation Trust`, 'nhs_trust', `mh.nhs.${county}`);
    const camhsService = this.#service(mhTrust, "Children and Young People's Mental Health Service", 'health', 'mental_health');
    const cmhtService = this.#service(mhTrust, 'Community Mental Health Service', 'health', 'mental_health');

    let acute: SynthOrganisation | null = null;
    let community: SynthOrganisation | null = null;
    let sexualHealth: SynthService | null = null;
    let substance: SynthService | null = null;
    let hvService: SynthService | null = null;
    let nursingService: SynthService | null = null;
    let maternity: SynthService | null = null;
    let vcsDa: SynthOrganisation | null = null;
    let daService: SynthService | null = null;

    for (let c = 0; c < nCouncils; c++) {
      const town = nCouncils <= TOWNS.length ? TOWNS[c]! : `${TOWNS[c % TOWNS.length]} ${Math.floor(c / TOWNS.length) + 1}`;
      const districts: number[] = [];
      for (let d = c; d < nDistricts; d += nCouncils) districts.push(d + 1);
      const teams = new Map<TeamKind, SynthTeam[]>();
      const add = (kind: TeamKind, t: SynthTeam) => teams.set(kind, [...(teams.get(kind) ?? []), t]);

      // Two councils share an acute trust and a community trust; a domestic abuse charity covers two.
      if (c % 2 === 0) {
        acute = this.#org(`${town} Hospitals NHS Trust`, 'nhs_trust', `hospitals.nhs.${town}`);
        maternity = this.#service(acute, 'Maternity Services', 'health', null);
        community = this.#org(`${town} Community Health NHS Trust`, 'nhs_trust', `community.nhs.${town}`);
        hvService = this.#service(community, 'Health Visiting', 'health', null);
        nursingService = this.#service(community, 'School Nursing', 'health', null);
        sexualHealth = this.#service(community, 'Sexual Health Clinic', 'health', 'sexual_health');
        substance = this.#service(community, 'Drug and Alcohol Service', 'health', 'substance_misuse');
        vcsDa = this.#org(`${town} Domestic Abuse Support`, 'voluntary_sector', `dasupport.${town}`);
        daService = this.#service(vcsDa, 'Outreach and Refuge', 'voluntary', 'domestic_abuse');
      }

      const csc = this.#org(`${town} Children's Services`, 'childrens_social_care', `csc.${town}`);
      const cscService = this.#service(csc, "Children's Social Care", 'social_care', null);
      const ehService = this.#service(csc, 'Early Help', 'social_care', null);
      add('mash', this.#team(csc, 'Multi-Agency Safeguarding Hub', 'mash', c, 4 + scale(60_000), cscService, JOBS.mash));
      add('assessment', this.#team(csc, 'Assessment Team', 'assessment', c, 6 + scale(60_000), cscService, JOBS.socialWorker));
      for (let i = 1; i <= scale(50_000); i++) {
        add('fst', this.#team(csc, `Family Safeguarding Team ${i}`, 'fst', c, 7, cscService, JOBS.socialWorker));
      }
      add('children_in_care', this.#team(csc, 'Children in Care Team', 'children_in_care', c, 4 + scale(80_000), cscService, JOBS.socialWorker));
      for (let i = 1; i <= scale(40_000); i++) {
        add('early_help', this.#team(csc, `Early Help Locality ${i}`, 'early_help', c, 6, ehService, JOBS.earlyHelp));
      }
      add('ig', this.#team(csc, 'Information Governance', 'ig', c, 2, null, JOBS.ig));

      const asc = this.#org(`${town} Adult Social Care`, 'adult_social_care', `asc.${town}`);
      const ascService = this.#service(asc, 'Adult Social Care', 'social_care', null);
      add('asc', this.#team(asc, 'Adult Social Care Locality Team', 'asc', c, 5 + scale(50_000), ascService, JOBS.ascWorker));

      const yjs = this.#org(`${town} Youth Justice Service`, 'youth_justice', `yjs.${town}`);
      const yjsService = this.#service(yjs, 'Youth Justice', 'youth_justice', null);
      add('yjs', this.#team(yjs, 'Youth Justice Team', 'yjs', c, 3 + scale(40_000), yjsService, JOBS.yjs));

      const homes = this.#org(`${town} Homes`, 'housing', `homes.${town}`);
      const housingService = this.#service(homes, 'Tenancy Support', 'housing', null);
      add('tenancy', this.#team(homes, 'Tenancy Support', 'tenancy', c, 3 + scale(50_000), housingService, JOBS.housing));
      add('homelessness', this.#team(homes, 'Homelessness Prevention', 'homelessness', c, 3 + scale(80_000), housingService, JOBS.housing));

      const pdu = this.#org(`${town} Probation Delivery Unit`, 'probation', `probation.${town}`);
      add('probation', this.#team(pdu, 'Offender Management', 'probation', c, 3 + scale(25_000), null, JOBS.probation));

      add('neighbourhood', this.#team(police, `${town} Neighbourhood Policing Team`, 'neighbourhood', c, 4 + scale(50_000), null, JOBS.police));

      add('hv', this.#team(community!, `Health Visiting ${town}`, 'hv', c, 3 + scale(15_000), hvService, JOBS.hv));
      add('school_nursing', this.#team(community!, `School Nursing ${town}`, 'school_nursing', c, 2 + scale(40_000), nursingService, JOBS.schoolNurse));
      add('sexual_health', this.#team(community!, `Sexual Health ${town}`, 'sexual_health', c, 2 + scale(100_000), sexualHealth, JOBS.sexualHealth));
      add('substance_misuse', this.#team(community!, `Drug and Alcohol Team ${town}`, 'substance_misuse', c, 3 + scale(60_000), substance, JOBS.substance));
      add('midwifery', this.#team(acute!, `Community Midwives ${town}`, 'midwifery', c, 3 + scale(30_000), maternity, JOBS.midwife));
      add('camhs', this.#team(mhTrust, `CYPMHS ${town}`, 'camhs', c, 3 + scale(50_000), camhsService, JOBS.camhs));
      add('cmht', this.#team(mhTrust, `Community Mental Health Team ${town}`, 'cmht', c, 3 + scale(40_000), cmhtService, JOBS.cmht));
      add('da_support', this.#team(vcsDa!, `Outreach ${town}`, 'da_support', c, 3 + scale(80_000), daService, JOBS.daWorker));

      const fs = this.#org(`${town} Family Support Trust`, 'voluntary_sector', `familysupport.${town}`);
      const fsService = this.#service(fs, 'Family Support', 'voluntary', null);
      add('family_support', this.#team(fs, 'Family Support Workers', 'family_support', c, 3 + scale(40_000), fsService, JOBS.familySupport));
      const counselling = this.#org(`${town} Talking Space`, 'voluntary_sector', `talkingspace.${town}`);
      const cService = this.#service(counselling, 'Counselling', 'voluntary', 'mental_health');
      add('counselling', this.#team(counselling, 'Counsellors', 'counselling', c, 2 + scale(80_000), cService, JOBS.counsellor));
      const carers = this.#org(`${town} Young Carers`, 'voluntary_sector', `youngcarers.${town}`);
      const carersService = this.#service(carers, 'Young Carers Support', 'voluntary', null);
      add('young_carers', this.#team(carers, 'Young Carers Workers', 'young_carers', c, 2 + scale(120_000), carersService, JOBS.familySupport));

      const gpPractices: SynthTeam[] = [];
      for (let i = 0; i < scale(8_000, 2); i++) {
        const root = SCHOOL_ROOTS[(c * 7 + i) % SCHOOL_ROOTS.length]!;
        const name = rng.pick([`${root} Medical Practice`, `${root} Surgery`, `${root} Health Centre`, `${root} Family Practice`]);
        const gp = this.#org(`${name}, ${town}`, 'gp_practice', `${name}.${town}`);
        gpPractices.push(this.#team(gp, 'Practice Safeguarding Team', 'gp', c, 2, null, JOBS.gp));
      }
      const primarySchools: SynthTeam[] = [];
      const secondarySchools: SynthTeam[] = [];
      const nPrimary = scale(2_500, 2);
      const nSecondary = scale(12_000, 1);
      for (let i = 0; i < nPrimary + nSecondary; i++) {
        const primary = i < nPrimary;
        const root = SCHOOL_ROOTS[(c * 13 + i) % SCHOOL_ROOTS.length]!;
        const name = primary
          ? rng.chance(0.2)
            ? `St ${rng.pick(SAINTS)}'s Church of England Primary School`
            : `${root} ${rng.pick(['Primary School', 'Community Primary School', 'Infant and Junior School', 'Primary Academy'])}`
          : `${root} ${rng.pick(['Academy', 'High School', 'School', 'Community College'])}`;
        const school = this.#org(`${name}, ${town}`, 'school', `${root}-${primary ? 'primary' : 'secondary'}.${town}`);
        const t = this.#team(school, 'Safeguarding', primary ? 'school_primary' : 'school_secondary', c, primary ? 2 : 3, null, JOBS.dsl);
        t.establishment = String(2000 + this.#schools++).slice(-4);
        (primary ? primarySchools : secondarySchools).push(t);
      }
      this.councils.push({ index: c, town, districts, cscOrganisationId: csc.id, teams, gpPractices, primarySchools, secondarySchools });
    }
  }

  /** The teams of a kind serving a council (its own, or the partnership-wide ones). */
  teamsFor(council: Council, kind: TeamKind): SynthTeam[] {
    return council.teams.get(kind) ?? this.shared.get(kind) ?? [];
  }
}

interface JobSpec {
  title: string;
  roles: string[];
  lead?: JobSpec;
}

const manager = (title: string): JobSpec => ({ title, roles: ['team_manager', 'practitioner'] });
const JOBS = {
  mash: { title: 'MASH social worker', roles: ['mash_officer', 'practitioner'], lead: manager('MASH team manager') },
  socialWorker: { title: 'Social worker', roles: ['practitioner'], lead: manager('Team manager') },
  earlyHelp: { title: 'Early help family worker', roles: ['practitioner'], lead: manager('Early help team manager') },
  ig: { title: 'Information governance officer', roles: ['ig_lead'] },
  ascWorker: { title: 'Social worker (adults)', roles: ['practitioner'], lead: manager('Team manager') },
  yjs: { title: 'Youth justice worker', roles: ['practitioner'], lead: manager('Youth justice team manager') },
  housing: { title: 'Housing officer', roles: ['practitioner'] },
  probation: { title: 'Probation officer', roles: ['practitioner'], lead: manager('Senior probation officer') },
  police: { title: 'Police constable', roles: ['practitioner'], lead: manager('Detective sergeant') },
  policeMash: { title: 'Detective constable, MASH', roles: ['mash_officer', 'practitioner'] },
  hv: { title: 'Health visitor', roles: ['practitioner'] },
  schoolNurse: { title: 'School nurse', roles: ['practitioner'] },
  sexualHealth: { title: 'Sexual health nurse', roles: ['practitioner'] },
  substance: { title: 'Recovery worker', roles: ['practitioner'] },
  midwife: { title: 'Community midwife', roles: ['practitioner'] },
  camhs: { title: 'Mental health practitioner (children and young people)', roles: ['practitioner'] },
  cmht: { title: 'Community mental health nurse', roles: ['practitioner'] },
  daWorker: { title: 'Domestic abuse outreach worker', roles: ['practitioner'] },
  familySupport: { title: 'Family support worker', roles: ['practitioner'] },
  counsellor: { title: 'Counsellor', roles: ['practitioner'] },
  gp: { title: 'GP', roles: ['practitioner'] },
  dsl: { title: 'Designated safeguarding lead', roles: ['practitioner'] },
} satisfies Record<string, JobSpec>;
