/**
 * Postcode centroids and distances, for proximity search that works offline. The centroids come
 * from a file in the ONS Postcode Directory's CSV layout (columns `pcds` — the postcode in its
 * usual written form —, `lat` and `long`, among many others the directory carries and this ignores),
 * imported by an administrator. Pure functions only.
 */
import { normalisePostcode } from '../people/identifiers.ts';
import { parseCsv } from '../linkage/csv.ts';

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine). */
export function distanceMetres(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** A latitude/longitude box that contains every point within `metres` of the centre (a prefilter for the index). */
export function boundingBox(lat: number, lon: number, metres: number): { minLat: number; maxLat: number; minLon: number; maxLon: number } {
  const dLat = (metres / EARTH_RADIUS_M) * (180 / Math.PI);
  const cos = Math.max(Math.cos(rad(Math.min(89.9, Math.abs(lat) + dLat))), 1e-6);
  const dLon = dLat / cos;
  return { minLat: lat - dLat, maxLat: lat + dLat, minLon: lon - dLon, maxLon: lon + dLon };
}

/** Miles, as a family reads them ("0.4 miles"), from metres. */
export function formatDistance(metres: number): string {
  const miles = metres / 1609.344;
  if (miles < 0.1) return 'less than 0.1 miles';
  return `${miles < 10 ? miles.toFixed(1) : Math.round(miles)} ${miles >= 0.95 && miles < 1.05 ? 'mile' : 'miles'}`;
}

export interface Centroid {
  pcds: string;
  latitude: number;
  longitude: number;
}

export interface RowProblem {
  file: string;
  row: number;
  column: string | null;
  message: string;
}

export interface CentroidColumns {
  pcds: number;
  lat: number;
  long: number;
  names: string[];
}

/** Where the postcode and coordinates are in an ONSPD header, or the problem with the header. */
export function centroidColumns(headerFields: readonly string[], file: string): CentroidColumns | RowProblem {
  const header = headerFields.map((h) => h.trim().toLowerCase());
  const col = (...names: string[]) => names.map((n) => header.indexOf(n)).find((i) => i >= 0) ?? -1;
  const cols = { pcds: col('pcds', 'pcd2', 'pcd'), lat: col('lat'), long: col('long'), names: header };
  const missing = [cols.pcds < 0 ? 'pcds' : null, cols.lat < 0 ? 'lat' : null, cols.long < 0 ? 'long' : null].filter(Boolean);
  if (missing.length) {
    return { file, row: 1, column: missing.join(', '), message: `The header has no ${missing.join(', ')} column: the file must be in the ONS Postcode Directory layout (pcds, lat, long)` };
  }
  return cols;
}

/** One row of an ONSPD file: its centroid, or why it is refused (row and column). */
export function centroidFrom(fields: readonly string[], cols: CentroidColumns, row: number, file: string): Centroid | RowProblem {
  const raw = fields[cols.pcds] ?? '';
  const pcds = normalisePostcode(raw);
  if (!pcds) return { file, row, column: cols.names[cols.pcds]!, message: `"${raw.slice(0, 20)}" is not a UK postcode` };
  const latText = (fields[cols.lat] ?? '').trim();
  const longText = (fields[cols.long] ?? '').trim();
  const lat = Number(latText);
  const long = Number(longText);
  if (!latText || !Number.isFinite(lat) || lat < -90 || lat > 90 || lat === 99.999999) {
    return { file, row, column: 'lat', message: `The latitude "${latText.slice(0, 20)}" is missing or not between -90 and 90 (ONSPD writes 99.999999 when a postcode has no location)` };
  }
  if (!longText || !Number.isFinite(long) || long < -180 || long > 180) {
    return { file, row, column: 'long', message: `The longitude "${longText.slice(0, 20)}" is missing or not between -180 and 180` };
  }
  return { pcds, latitude: lat, longitude: long };
}

export const isRowProblem = (x: Centroid | RowProblem | CentroidColumns): x is RowProblem => 'message' in x;

/**
 * Reads a centroid file in the ONSPD layout. The header must name `pcds` (or `pcd`/`pcd2`), `lat`
 * and `long`. A row whose postcode is not a UK postcode, or whose coordinates are missing or out of
 * range (ONSPD writes 99.999999 for a postcode with no grid reference) is refused with its row and
 * column; the others are kept. (For the whole ONSPD, `DirectoryService#importCentroidFile` reads
 * the file as a stream with the same two functions.)
 */
export function parseCentroids(text: string, file = 'postcodes.csv'): { centroids: Centroid[]; problems: RowProblem[]; rows: number } {
  const rows = parseCsv(text.replace(/^\uFEFF/, ''));
  const cols = centroidColumns(rows[0]?.fields ?? [], file);
  if (isRowProblem(cols)) return { centroids: [], rows: Math.max(0, rows.length - 1), problems: [cols] };
  const problems: RowProblem[] = [];
  const byPostcode = new Map<string, Centroid>();
  for (const r of rows.slice(1)) {
    if (r.fields.length === 1 && r.fields[0]!.trim() === '') continue;
    const c = centroidFrom(r.fields, cols, r.row, file);
    if (isRowProblem(c)) problems.push(c);
    else byPostcode.set(c.pcds, c);
  }
  return { centroids: [...byPostcode.values()], problems, rows: Math.max(0, rows.length - 1) };
}
