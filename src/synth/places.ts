/**
 * Invented places for synthetic addresses. Every postcode is in the "NB" area, which Royal Mail does
 * not use, so no generated address can point at a real place; towns are invented compounds and
 * street names are the generic kind found in every British town.
 */
import { Rng } from './random.ts';

export const POSTCODE_AREA = 'NB';

export const TOWNS = [
  'Brackenford', 'Hollinbury', 'Ambervale', 'Copperfold', 'Larkmere', 'Eastwold Cross', 'Fennick Bridge', 'Saltmarrow',
  'Wrenbeck', 'Oakhythe', 'Thistlecombe', 'Harrowden Vale',
] as const;

const STREET_ROOTS = (
  'Hollin Bracken Alder Beacon Chantry Dovecote Elm Foundry Garth Heron Ivy Juniper Kestrel Larch Mill Nettle Orchard Pinfold ' +
  'Quarry Rowan Sandpit Tannery Vicarage Willow Yew Brook Church Station Victoria Albert Park Meadow Hawthorn Cedar Spring ' +
  'Well Forge Windmill Coronation Jubilee Mariner Ropewalk Cobbler Weaver Salter Thistle Bramble Foxglove Marigold Lark ' +
  'Chapel School Market Bridge Castle Abbey Cherry Holly Laurel Maple Poplar Sycamore Linnet Swallow Plover Curlew Moorland'
).split(' ');
const STREET_SUFFIXES = 'Road Street Lane Close Avenue Drive Way Crescent Court Gardens Grove Terrace Place Walk Rise View Mews Row'.split(' ');

/** Letters allowed in the inward code (Royal Mail never uses C, I, K, M, O or V there). */
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

export interface Street {
  name: string;
  town: string;
  postcodes: string[];
  /** Mostly flats (a court or a block). */
  flats: boolean;
}

/**
 * The streets of one postcode district (NB<n>), made from the district number alone so that a
 * district always has the same streets whatever else is generated.
 */
export function districtStreets(district: number, count: number): Street[] {
  const rng = new Rng(district, 0x57ee7);
  const town = TOWNS[(district - 1) % TOWNS.length]!;
  const used = new Set<string>();
  const streets: Street[] = [];
  let serial = 0;
  for (let s = 0; s < count; s++) {
    let name = '';
    for (let attempt = 0; attempt < 20; attempt++) {
      name = `${rng.pick(STREET_ROOTS)} ${rng.pick(STREET_SUFFIXES)}`;
      if (!used.has(name)) break;
      name = `${rng.pick(['North', 'South', 'East', 'West', 'Upper', 'Lower', 'Old', 'New'])} ${name}`;
      if (!used.has(name)) break;
    }
    used.add(name);
    const postcodes: string[] = [];
    const n = 1 + rng.int(2);
    for (let p = 0; p < n; p++) {
      // Sectors 1–9, then unit letters from a running serial: every unit in a district differs.
      const sector = 1 + (serial % 9);
      const unit = Math.floor(serial / 9);
      const l1 = INWARD_LETTERS[Math.floor(unit / INWARD_LETTERS.length) % INWARD_LETTERS.length]!;
      const l2 = INWARD_LETTERS[unit % INWARD_LETTERS.length]!;
      postcodes.push(`${POSTCODE_AREA}${district} ${sector}${l1}${l2}`);
      serial++;
    }
    streets.push({ name, town, postcodes, flats: /Court|Mews|Place/.test(name) });
  }
  return streets;
}

export interface AddressLine {
  line1: string;
  line2: string | null;
  town: string;
  postcode: string;
}

export function addressOn(rng: Rng, street: Street): AddressLine {
  const postcode = rng.pick(street.postcodes);
  if (street.flats || rng.chance(0.08)) {
    return { line1: `Flat ${1 + rng.int(24)}`, line2: `${1 + rng.int(60)} ${street.name}`, town: street.town, postcode };
  }
  return { line1: `${1 + rng.int(140)} ${street.name}`, line2: null, town: street.town, postcode };
}
