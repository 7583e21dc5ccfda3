/**
 * Seeded randomness for the synthetic partnership: the same seed always gives the same data.
 * sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator) on 32-bit integers: fast, tiny state,
 * passes PractRand; seeded through splitmix32 so nearby seeds give unrelated streams.
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number, stream = 0) {
    let s = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(stream | 0, 0x85ebca6b) ^ 0x6a09e667) >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = next();
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** [0, 1) */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi] (both included). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Poisson-distributed count with the given mean (Knuth; means here are small). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const l = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > l);
    return k - 1;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

/** Picks from a weighted list in O(log n): built once, used millions of times. */
export class Weighted<T> {
  readonly items: readonly T[];
  readonly #cumulative: Float64Array;
  readonly #total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    this.items = entries.map(([v]) => v);
    this.#cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, w], i) => {
      sum += w;
      this.#cumulative[i] = sum;
    });
    this.#total = sum;
  }

  pick(rng: Rng): T {
    const x = rng.next() * this.#total;
    let lo = 0;
    let hi = this.#cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(n: number): string {
  return HEX[(n >>> 24) & 255]! + HEX[(n >>> 16) & 255]! + HEX[(n >>> 8) & 255]! + HEX[n & 255]!;
}

/**
 * Deterministic ids in the UUIDv7 layout the application uses (time-ordered, so the primary-key
 * indexes are appended to rather than split at random). The 48-bit "time" is a fixed base plus a
 * counter, rand_a holds the low 12 bits of the counter, and rand_b comes from the seeded stream.
 */
export class IdSource {
  readonly #rng: Rng;
  readonly #baseMs: number;
  #seq = 0;

  constructor(seed: number, baseMs: number) {
    this.#rng = new Rng(seed, 0x1d5);
    this.#baseMs = baseMs;
  }

  next(): string {
    const seq = this.#seq++;
    const ms = this.#baseMs + Math.floor(seq / 4096);
    const hi = Math.floor(ms / 65536); // top 32 bits of the 48-bit time
    const lo = ms % 65536;
    const r1 = this.#rng.u32();
    const r2 = this.#rng.u32();
    const a = hex32(hi);
    const b = HEX[(lo >>> 8) & 255]! + HEX[lo & 255]!;
    const c = (0x7000 | (seq & 0xfff)).toString(16);
    const d = (0x8000 | (r1 >>> 18)).toString(16);
    const e = HEX[(r1 >>> 10) & 255]! + HEX[(r1 >>> 2) & 255]! + hex32(r2);
    return `${a}-${b}-${c}-${d}-${e}`;
  }

  get issued(): number {
    return this.#seq;
  }
}

/** Days since 1970-01-01 ⇄ ISO date text, without Date objects in the hot path. */
const ISO_CACHE_FROM = -25_567; // 1900-01-01
const ISO_CACHE = new Array<string | undefined>(60_000);

export function dayToIso(day: number): string {
  const i = day - ISO_CACHE_FROM;
  if (i >= 0 && i < ISO_CACHE.length) return (ISO_CACHE[i] ??= civil(day));
  return civil(day);
}

function civil(day: number): string {
  // Civil-from-days (Howard Hinnant), proleptic Gregorian.
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

export function isoToDay(iso: string): number {
  return Math.floor(Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000);
}
