import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundingBox, distanceMetres, formatDistance, parseCentroids } from '../../src/directory/postcode.ts';

describe('postcode centroids and distances', () => {
  it('measures great-circle distances', () => {
    expect(distanceMetres(54, -2, 54, -2)).toBe(0);
    // One degree of latitude is about 111.2 km anywhere.
    expect(Math.round(distanceMetres(54, -2, 55, -2) / 100) / 10).toBe(111.2);
    // London to Edinburgh, about 534 km.
    expect(Math.round(distanceMetres(51.5074, -0.1278, 55.9533, -3.1883) / 1000)).toBe(534);
  });

  it('puts every point within the distance inside the bounding box (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 49, max: 61, noNaN: true }),
        fc.double({ min: -8, max: 2, noNaN: true }),
        fc.double({ min: 10, max: 100_000, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        (lat, lon, metres, fraction, bearing) => {
          // A point `fraction` of the way out along `bearing` (an equirectangular step, shrunk so it stays within the distance).
          const r = metres * fraction * 0.99;
          const pLat = lat + ((r * Math.cos(bearing)) / 6_371_008.8) * (180 / Math.PI);
          const pLon = lon + ((r * Math.sin(bearing)) / (6_371_008.8 * Math.cos((lat * Math.PI) / 180))) * (180 / Math.PI);
          if (distanceMetres(lat, lon, pLat, pLon) > metres) return;
          const b = boundingBox(lat, lon, metres);
          expect(pLat).toBeGreaterThanOrEqual(b.minLat);
          expect(pLat).toBeLessThanOrEqual(b.maxLat);
          expect(pLon).toBeGreaterThanOrEqual(b.minLon);
          expect(pLon).toBeLessThanOrEqual(b.maxLon);
        },
      ),
    );
  });

  it('writes distances in miles for families', () => {
    expect(formatDistance(50)).toBe('less than 0.1 miles');
    expect(formatDistance(1609)).toBe('1.0 mile');
    expect(formatDistance(4000)).toBe('2.5 miles');
    expect(formatDistance(40_000)).toBe('25 miles');
  });

  it('reads the ONS Postcode Directory layout, keeping good rows and naming the row and column of bad ones', () => {
    const r = parseCentroids(
      '\uFEFFpcd,pcd2,pcds,oseast1m,lat,long\n' +
        '"NB1 2AB","NB1  2AB","NB1 2AB",400000,54.05,-1.99\n' +
        '"XX","XX","not one",0,54,-2\n' +
        '"NB1 9ZZ","NB1  9ZZ","NB1 9ZZ",,99.999999,0.000000\n' +
        '"NB1 3AB","NB1  3AB","nb1 3ab",1,54.06,-200\n',
      'onspd.csv',
    );
    expect(r.rows).toBe(4);
    expect(r.centroids).toEqual([{ pcds: 'NB1 2AB', latitude: 54.05, longitude: -1.99 }]);
    expect(r.problems.map((p) => `${p.row}:${p.column}`)).toEqual(['3:pcds', '4:lat', '5:long']);
    expect(r.problems[1]!.message).toMatch(/99.999999/);
  });

  it('refuses a file without the postcode and coordinate columns', () => {
    const r = parseCentroids('postcode,latitude,longitude\nNB1 2AB,54,-2\n', 'wrong.csv');
    expect(r.centroids).toEqual([]);
    expect(r.problems).toEqual([{ file: 'wrong.csv', row: 1, column: 'pcds, lat, long', message: expect.stringMatching(/ONS Postcode Directory layout/) }]);
  });
});

describe('the invented sample centroids shipped for tests and the demo', () => {
  it('read without a refused row', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { projectRoot } = await import('../../src/paths.ts');
    const r = parseCentroids(readFileSync(join(projectRoot, 'data/onspd-sample-northbridge.csv'), 'utf8'));
    expect(r.problems).toEqual([]);
    expect(r.centroids.length).toBe(r.rows);
    expect(r.centroids.every((c) => c.pcds.startsWith('NB'))).toBe(true);
  });
});
