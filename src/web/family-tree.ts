/**
 * Family tree (genogram) renderer: pure, server-side, no DOM. Produces an accessible SVG
 * (role="img", <title>/<desc>, presentation attributes only: no inline style, no script,
 * so it satisfies the strict CSP) plus a list of plain sentences that carries the same
 * information for screen reader users.
 *
 * Every piece of user text is XML-escaped in both outputs. The sentences are therefore
 * HTML-safe as returned: print them without further escaping (`{{ sentence | safe }}` in
 * Nunjucks) or they will show entities such as &amp;amp;.
 *
 * Layout, in brief: generations from parent-like links (cycles and contradictions broken,
 * never looped over), partners and siblings forced into the same generation, rows ordered
 * by barycentre sweeps that keep partners side by side and siblings together, then x
 * positions chosen by isotonic regression so parents sit over their children.
 */

export interface TreePerson {
  id: string;
  name: string;
  sex: 'female' | 'male' | 'unknown' | 'other';
  /** Free text shown under the name, e.g. '2019' or 'expected May 2027'. */
  born?: string;
  deceased?: boolean;
  unborn?: boolean;
  shielded?: boolean;
  isSubject?: boolean;
  href?: string;
}

export type TreeRelationType =
  | 'parent'
  | 'step_parent'
  | 'parental_responsibility'
  | 'carer'
  | 'sibling'
  | 'half_sibling'
  | 'partner'
  | 'household_member'
  | 'unborn_child_of';

/** `from` is the parent/carer/partner; `to` the child (for parent-like types). Sibling, partner and household are symmetric. */
export interface TreeRelation {
  from: string;
  to: string;
  type: TreeRelationType;
}

export interface FamilyTreeInput {
  people: TreePerson[];
  relations: TreeRelation[];
  subjectId: string;
  title: string;
}

export interface FamilyTree {
  svg: string;
  textAlternative: string[];
}

// ---------------------------------------------------------------------------------------------
// Constants

const PARENT_LIKE: readonly TreeRelationType[] = ['parent', 'step_parent', 'parental_responsibility', 'carer', 'unborn_child_of'];
const BIRTH_LINK: ReadonlySet<TreeRelationType> = new Set<TreeRelationType>(['parent', 'unborn_child_of']);

const INK = '#0b0c0c';
const BLUE = '#1d70b8';
const WHITE = '#ffffff';
const SECONDARY = '#484949'; // GOV.UK secondary text, 9:1 on white
const FONT = "'GDS Transport', arial, sans-serif";

const HALF = 20; // half the symbol size
const SLOT = 140; // minimum distance between the centres of neighbours in a row
const PARTNER_GAP = 150; // distance between the centres of partners
const FAMILY_GAP = 40; // extra space between unrelated groups in a row
const NAME_SIZE = 14;
const SMALL_SIZE = 13;
const LINE_H = 17;
const NAME_CHARS = 15; // characters per name line before wrapping
const LANE = 10; // vertical spacing of connector lanes between rows
const MIN_GAP = 56; // minimum space between the bottom of one row's text and the next row's symbols
const MARGIN = 24;
const MIN_WIDTH = 640;

// ---------------------------------------------------------------------------------------------
// Text helpers

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// Characters XML 1.0 forbids (C0 controls other than tab/newline/return, U+FFFE/U+FFFF).
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function clean(s: unknown): string {
  return String(s ?? '').toWellFormed().replace(XML_FORBIDDEN, '').replace(/\s+/g, ' ').trim();
}

function esc(s: string): string {
  return clean(s).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function chars(s: string): string[] {
  return Array.from(s);
}

/** A rough width for layout: GDS Transport/Arial average about 0.55em a character. */
function textWidth(s: string, size: number, bold = false): number {
  return chars(s).length * size * (bold ? 0.6 : 0.55);
}

/** Wraps a name onto at most two lines of NAME_CHARS, ending with an ellipsis when cut. */
function wrapName(name: string): string[] {
  const lines: string[] = [];
  let line = '';
  const words = name.split(' ');
  let cut = false;
  for (let i = 0; i < words.length; i++) {
    let word = words[i] ?? '';
    if (chars(word).length > NAME_CHARS) {
      word = chars(word).slice(0, NAME_CHARS - 1).join('') + '…';
    }
    const candidate = line ? `${line} ${word}` : word;
    if (chars(candidate).length <= NAME_CHARS) {
      line = candidate;
      continue;
    }
    lines.push(line);
    line = word;
    if (lines.length === 2) {
      cut = true;
      break;
    }
  }
  if (!cut && line) lines.push(line);
  if (cut || lines.length > 2) {
    const kept = lines.slice(0, 2);
    const last = chars(kept[1] ?? '');
    kept[1] = (last.length >= NAME_CHARS ? last.slice(0, NAME_CHARS - 1).join('') : last.join('')) + '…';
    return kept;
  }
  return lines.length ? lines : [''];
}

function joinList(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function possessive(name: string): string {
  return `${name}'s`;
}

function safeHref(href: string | undefined): string | undefined {
  if (typeof href !== 'string') return undefined;
  const h = clean(href);
  if (h.startsWith('/') && !h.startsWith('//')) return h;
  if (/^https?:\/\//i.test(h)) return h;
  if (h.startsWith('#') || h.startsWith('?')) return h;
  return undefined; // javascript:, data:, protocol-relative and anything else: no link
}

function idPart(s: string): string {
  let hash = 0x811c9dc5;
  for (const ch of s) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const readable = s.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);
  return `${readable}-${hash.toString(36)}`;
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

// ---------------------------------------------------------------------------------------------
// The relationship graph

interface Graph {
  people: TreePerson[];
  byId: Map<string, TreePerson>;
  order: Map<string, number>;
  /** child → parent → relation types, in PARENT_LIKE order */
  parents: Map<string, Map<string, TreeRelationType[]>>;
  children: Map<string, Set<string>>;
  partners: Map<string, Set<string>>;
  siblings: Map<string, Set<string>>;
  halfSiblings: Map<string, Set<string>>;
  household: Map<string, Set<string>>;
}

function addTo(map: Map<string, Set<string>>, a: string, b: string): void {
  let set = map.get(a);
  if (!set) map.set(a, (set = new Set()));
  set.add(b);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function linked(map: Map<string, Set<string>>, id: string): string[] {
  return [...(map.get(id) ?? [])];
}

function buildGraph(input: FamilyTreeInput): Graph {
  const people: TreePerson[] = [];
  const byId = new Map<string, TreePerson>();
  for (const p of Array.isArray(input.people) ? input.people : []) {
    if (!p || typeof p.id !== 'string' || byId.has(p.id)) continue;
    const person: TreePerson = { ...p, name: clean(p.name) || 'Unnamed person' };
    byId.set(p.id, person);
    people.push(person);
  }
  const order = new Map(people.map((p, i) => [p.id, i]));
  const g: Graph = {
    people, byId, order,
    parents: new Map(), children: new Map(), partners: new Map(),
    siblings: new Map(), halfSiblings: new Map(), household: new Map(),
  };
  for (const r of Array.isArray(input.relations) ? input.relations : []) {
    if (!r || !byId.has(r.from) || !byId.has(r.to) || r.from === r.to) continue;
    if (PARENT_LIKE.includes(r.type)) {
      let ps = g.parents.get(r.to);
      if (!ps) g.parents.set(r.to, (ps = new Map()));
      const types = ps.get(r.from) ?? [];
      if (!types.includes(r.type)) types.push(r.type);
      types.sort((a, b) => PARENT_LIKE.indexOf(a) - PARENT_LIKE.indexOf(b));
      ps.set(r.from, types);
      addTo(g.children, r.from, r.to);
      continue;
    }
    const symmetric =
      r.type === 'partner' ? g.partners
      : r.type === 'sibling' ? g.siblings
      : r.type === 'half_sibling' ? g.halfSiblings
      : r.type === 'household_member' ? g.household
      : undefined;
    if (!symmetric) continue; // unknown type from runtime data: ignore
    addTo(symmetric, r.from, r.to);
    addTo(symmetric, r.to, r.from);
  }
  return g;
}

function byOrder(g: Graph): (a: string, b: string) => number {
  return (a, b) => (g.order.get(a) ?? 0) - (g.order.get(b) ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Generations

function hasLayoutRelation(g: Graph, id: string): boolean {
  return Boolean(
    g.parents.get(id)?.size || g.children.get(id)?.size || g.partners.get(id)?.size
    || g.siblings.get(id)?.size || g.halfSiblings.get(id)?.size,
  );
}

/**
 * Partners and siblings are merged into one rank group (same generation); parent-like links
 * between groups form a graph whose back edges (cycles) are dropped by an iterative DFS, as
 * are links inside one group (someone recorded as both parent and sibling). The resulting DAG
 * is layered by longest path, then parentless groups are pulled down to sit just above
 * their highest child.
 */
function assignGenerations(g: Graph, subjectId: string): Map<string, number> {
  const cmp = byOrder(g);
  const uf = new Map<string, string>();
  const find = (id: string): string => {
    let x = id;
    for (;;) {
      const p = uf.get(x) ?? x;
      if (p === x) return x;
      const gp = uf.get(p) ?? p;
      uf.set(x, gp);
      x = gp;
    }
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return;
    if (cmp(ra, rb) < 0) uf.set(rb, ra);
    else uf.set(ra, rb);
  };
  for (const map of [g.partners, g.siblings, g.halfSiblings]) {
    for (const [a, set] of map) for (const b of set) union(a, b);
  }

  const layoutIds = g.people.map((p) => p.id).filter((id) => hasLayoutRelation(g, id));
  const groups = [...new Set(layoutIds.map(find))].sort(cmp);
  const out = new Map<string, Set<string>>();
  const indegree = new Map<string, number>();
  for (const [child, ps] of g.parents) {
    for (const parent of ps.keys()) {
      const a = find(parent);
      const b = find(child);
      if (a === b || out.get(a)?.has(b)) continue;
      addTo(out, a, b);
      indegree.set(b, (indegree.get(b) ?? 0) + 1);
    }
  }

  // Iterative DFS from the roots first; an edge back to a group on the stack closes a cycle and is dropped.
  const state = new Map<string, 1 | 2>();
  const kept = new Map<string, string[]>();
  const keptIn = new Map<string, string[]>();
  const post: string[] = [];
  const starts = [...groups.filter((x) => !indegree.get(x)), ...groups];
  for (const start of starts) {
    if (state.has(start)) continue;
    state.set(start, 1);
    const stack: { node: string; next: string[]; i: number }[] = [{ node: start, next: linked(out, start).sort(cmp), i: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.next.length) {
        const h = top.next[top.i++]!;
        const st = state.get(h);
        if (st === 1) continue; // back edge
        push(kept, top.node, h);
        push(keptIn, h, top.node);
        if (st === undefined) {
          state.set(h, 1);
          stack.push({ node: h, next: linked(out, h).sort(cmp), i: 0 });
        }
      } else {
        state.set(top.node, 2);
        post.push(top.node);
        stack.pop();
      }
    }
  }
  const topo = post.reverse();
  const groupGen = new Map<string, number>();
  for (const node of topo) {
    const ins = keptIn.get(node) ?? [];
    groupGen.set(node, ins.length ? Math.max(...ins.map((p) => (groupGen.get(p) ?? 0) + 1)) : 0);
  }
  for (let i = topo.length - 1; i >= 0; i--) {
    const node = topo[i]!;
    const outs = kept.get(node) ?? [];
    if ((keptIn.get(node) ?? []).length === 0 && outs.length) {
      groupGen.set(node, Math.min(...outs.map((c) => groupGen.get(c) ?? 0)) - 1);
    }
  }

  const gen = new Map<string, number>();
  for (const id of layoutIds) gen.set(id, groupGen.get(find(id)) ?? 0);
  const subjectGen = gen.get(subjectId) ?? Math.min(0, ...gen.values());
  for (const p of g.people) if (!gen.has(p.id)) gen.set(p.id, subjectGen);
  const min = Math.min(...gen.values());
  for (const [id, v] of gen) gen.set(id, v - min);
  return gen;
}

// ---------------------------------------------------------------------------------------------
// Ordering within rows and x positions

interface Block {
  members: string[];
  width: number;
}

interface Row {
  /** clusters of blocks joined by sibling links; each cluster stays contiguous */
  clusters: Block[][];
  /** people with no relations, kept at the end of the subject's row */
  tail: Block[];
}

interface Placement {
  gen: Map<string, number>;
  rows: Block[][];
  x: Map<string, number>;
  layoutParents: Map<string, string[]>;
  layoutChildren: Map<string, string[]>;
}

function mean(values: number[]): number | undefined {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

/** Orders a connected set of partners as a chain (a path if it is one) so neighbours are partners. */
function partnerChain(g: Graph, members: string[]): string[] {
  const cmp = byOrder(g);
  const inSet = new Set(members);
  const degree = (id: string): number => linked(g.partners, id).filter((p) => inSet.has(p)).length;
  const sorted = [...members].sort(cmp);
  const start = sorted.find((id) => degree(id) <= 1) ?? sorted[0]!;
  const result: string[] = [];
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    result.push(id);
    const next = linked(g.partners, id).filter((p) => inSet.has(p) && !seen.has(p)).sort(cmp).reverse();
    stack.push(...next);
  }
  return result;
}

/**
 * Minimises Σ w·(x − desired)² subject to x[i+1] − x[i] ≥ gaps[i] (keeps order and spacing)
 * by the pool-adjacent-violators algorithm on x − cumulative gap.
 */
function isotonicPlace(desired: number[], weights: number[], gaps: number[]): number[] {
  const offsets: number[] = [0];
  for (let i = 1; i < desired.length; i++) offsets.push((offsets[i - 1] ?? 0) + (gaps[i - 1] ?? 0));
  const pools: { w: number; wt: number; n: number }[] = [];
  for (let i = 0; i < desired.length; i++) {
    const w = weights[i] ?? 1;
    pools.push({ w, wt: w * ((desired[i] ?? 0) - (offsets[i] ?? 0)), n: 1 });
    while (pools.length > 1) {
      const b = pools[pools.length - 1]!;
      const a = pools[pools.length - 2]!;
      if (a.wt / a.w <= b.wt / b.w) break;
      pools.splice(pools.length - 2, 2, { w: a.w + b.w, wt: a.wt + b.wt, n: a.n + b.n });
    }
  }
  const result: number[] = [];
  for (const pool of pools) for (let k = 0; k < pool.n; k++) result.push(pool.wt / pool.w + (offsets[result.length] ?? 0));
  return result;
}

function layout(g: Graph, subjectId: string): Placement {
  const cmp = byOrder(g);
  const gen = assignGenerations(g, subjectId);
  const genOf = (id: string): number => gen.get(id) ?? 0;
  const layoutParents = new Map<string, string[]>();
  const layoutChildren = new Map<string, string[]>();
  for (const p of g.people) {
    layoutParents.set(p.id, [...(g.parents.get(p.id)?.keys() ?? [])].filter((q) => genOf(q) < genOf(p.id)).sort(cmp));
    layoutChildren.set(p.id, linked(g.children, p.id).filter((c) => genOf(c) > genOf(p.id)).sort(cmp));
  }
  const siblingsOf = (id: string): string[] =>
    [...linked(g.siblings, id), ...linked(g.halfSiblings, id)].filter((s) => genOf(s) === genOf(id));
  // Positions follow the strongest links: birth parents over other carers, the generation
  // directly above over ones further up. Children of someone are those for whom they are
  // such a primary parent, or failing that any child they are linked to.
  const primaryParents = new Map<string, string[]>();
  for (const p of g.people) {
    const all = layoutParents.get(p.id) ?? [];
    const birth = all.filter((q) => g.parents.get(p.id)?.get(q)?.some((t) => BIRTH_LINK.has(t)));
    const pool = birth.length ? birth : all;
    const near = pool.filter((q) => genOf(p.id) - genOf(q) === 1);
    primaryParents.set(p.id, near.length ? near : pool);
  }
  const primaryChildren = new Map<string, string[]>();
  for (const p of g.people) {
    const all = layoutChildren.get(p.id) ?? [];
    const primary = all.filter((c) => primaryParents.get(c)?.includes(p.id));
    primaryChildren.set(p.id, primary.length ? primary : all);
  }

  // Rows of blocks (partner chains) grouped into clusters (sibling-linked blocks).
  const rowCount = Math.max(0, ...gen.values()) + 1;
  const rows: Row[] = Array.from({ length: rowCount }, () => ({ clusters: [], tail: [] }));
  const assigned = new Set<string>();
  const blockOf = new Map<string, Block>();
  const subjectRow = gen.get(subjectId) ?? 0;
  for (const p of g.people) {
    if (assigned.has(p.id)) continue;
    if (!hasLayoutRelation(g, p.id)) {
      const block = { members: [p.id], width: 0 };
      assigned.add(p.id);
      blockOf.set(p.id, block);
      rows[subjectRow]?.tail.push(block);
      continue;
    }
    const component: string[] = [];
    const queue = [p.id];
    assigned.add(p.id);
    while (queue.length) {
      const id = queue.shift()!;
      component.push(id);
      for (const q of linked(g.partners, id)) {
        if (!assigned.has(q) && genOf(q) === genOf(p.id)) {
          assigned.add(q);
          queue.push(q);
        }
      }
    }
    const members = partnerChain(g, component);
    const block = { members, width: (members.length - 1) * PARTNER_GAP };
    for (const m of members) blockOf.set(m, block);
    rows[genOf(p.id)]?.clusters.push([block]);
  }
  // Merge clusters joined by sibling links. Only siblings without recorded parents need
  // holding together; the rest follow their parents.
  for (const row of rows) {
    const clusterOf = new Map<string, number>();
    row.clusters.forEach((cluster, i) => cluster.forEach((bl) => bl.members.forEach((m) => clusterOf.set(m, i))));
    const parent = row.clusters.map((_, i) => i);
    const root = (i: number): number => {
      while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
      return i;
    };
    for (const [m, i] of clusterOf) {
      for (const sib of siblingsOf(m)) {
        const j = clusterOf.get(sib);
        if (j === undefined || (layoutParents.get(m)?.length && layoutParents.get(sib)?.length)) continue;
        const a = root(i);
        const b = root(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
    const merged = new Map<number, Block[]>();
    row.clusters.forEach((cluster, i) => {
      const r = root(i);
      merged.set(r, [...(merged.get(r) ?? []), ...cluster]);
    });
    row.clusters = [...merged.values()];
  }

  const x = new Map<string, number>();
  const flat = (row: Row): Block[] => [...row.clusters.flat(), ...row.tail];
  const familyCache = new Map<Block, { parents: Set<string>; siblings: Set<string> }>();
  const family = (block: Block): { parents: Set<string>; siblings: Set<string> } => {
    let f = familyCache.get(block);
    if (!f) {
      f = {
        parents: new Set(block.members.flatMap((m) => [...(g.parents.get(m)?.keys() ?? [])])),
        siblings: new Set(block.members.flatMap(siblingsOf)),
      };
      familyCache.set(block, f);
    }
    return f;
  };
  const sameFamily = (a: Block, b: Block): boolean => {
    const fa = family(a);
    const fb = family(b);
    return b.members.some((m) => fa.siblings.has(m)) || [...fb.parents].some((q) => fa.parents.has(q));
  };
  const gapsFor = (blocks: Block[]): number[] =>
    blocks.slice(1).map((b, i) => {
      const a = blocks[i]!;
      return (a.width + b.width) / 2 + SLOT + (sameFamily(a, b) ? 0 : FAMILY_GAP);
    });
  const setBlockCentre = (block: Block, centre: number): void => {
    block.members.forEach((m, i) => x.set(m, centre - block.width / 2 + i * PARTNER_GAP));
  };
  const blockCentre = (block: Block): number => (x.get(block.members[0]!) ?? 0) + block.width / 2;
  const pack = (row: Row): void => {
    const blocks = flat(row);
    const gaps = gapsFor(blocks);
    let c = 0;
    const centres = blocks.map((_, i) => (i === 0 ? 0 : (c += gaps[i - 1] ?? SLOT)));
    const shift = ((centres[centres.length - 1] ?? 0) - (centres[0] ?? 0)) / 2;
    blocks.forEach((b, i) => setBlockCentre(b, (centres[i] ?? 0) - shift));
  };

  // Barycentre sweeps: order each row by the mean position of parents (down) or children (up).
  const memberKey = (id: string, down: boolean): number | undefined => {
    const targets = down ? primaryParents.get(id) ?? [] : primaryChildren.get(id) ?? [];
    const direct = mean(targets.map((t) => x.get(t) ?? 0));
    return direct ?? mean(siblingsOf(id).map((s) => x.get(s) ?? 0));
  };
  const reorder = (row: Row, down: boolean): void => {
    const clusterKeys = new Map<Block[], number>();
    for (const cluster of row.clusters) {
      const blockKeys = new Map<Block, number>();
      for (const block of cluster) {
        const k = mean(block.members.map((m) => memberKey(m, down)).filter((v): v is number => v !== undefined));
        if (k !== undefined) blockKeys.set(block, k);
        // orient partner chains towards their own families
        if (block.members.length > 1) {
          const first = memberKey(block.members[0]!, down);
          const last = memberKey(block.members[block.members.length - 1]!, down);
          const centre = blockCentre(block);
          if ((first !== undefined && last !== undefined && first > last)
            || (first !== undefined && last === undefined && first > centre)
            || (first === undefined && last !== undefined && last < centre)) {
            block.members.reverse();
            setBlockCentre(block, centre);
          }
        }
      }
      const current = mean(cluster.map(blockCentre)) ?? 0;
      const clusterKey = mean([...blockKeys.values()]) ?? current;
      clusterKeys.set(cluster, clusterKey);
      const pos = new Map(cluster.map((b) => [b, blockCentre(b)]));
      cluster.sort((a, b) => (blockKeys.get(a) ?? clusterKey) - (blockKeys.get(b) ?? clusterKey) || (pos.get(a) ?? 0) - (pos.get(b) ?? 0));
    }
    const pos = new Map(row.clusters.map((c) => [c, mean(c.map(blockCentre)) ?? 0]));
    row.clusters.sort((a, b) => (clusterKeys.get(a) ?? 0) - (clusterKeys.get(b) ?? 0) || (pos.get(a) ?? 0) - (pos.get(b) ?? 0));
    pack(row);
  };
  const crossings = (): number => {
    const edges: [number, number, number][] = [];
    for (const [child, ps] of primaryParents) {
      for (const p of ps) if (genOf(child) - genOf(p) === 1) edges.push([genOf(p), x.get(p) ?? 0, x.get(child) ?? 0]);
    }
    let count = 0;
    for (let i = 0; i < edges.length; i++) {
      for (let j = i + 1; j < edges.length; j++) {
        const a = edges[i]!;
        const b = edges[j]!;
        if (a[0] === b[0] && (a[1] - b[1]) * (a[2] - b[2]) < 0) count++;
      }
    }
    return count;
  };
  const snapshot = (): Block[][][] => rows.map((r) => r.clusters.map((c) => c.map((b) => ({ members: [...b.members], width: b.width }))));
  rows.forEach(pack);
  let best = snapshot();
  let bestCrossings = crossings();
  for (let iteration = 0; iteration < 6 && bestCrossings > 0; iteration++) {
    for (let r = 1; r < rows.length; r++) reorder(rows[r]!, true);
    for (let r = rows.length - 2; r >= 0; r--) reorder(rows[r]!, false);
    const c = crossings();
    if (c < bestCrossings) {
      bestCrossings = c;
      best = snapshot();
    }
  }
  rows.forEach((row, r) => {
    row.clusters = best[r] ?? [];
    for (const block of row.clusters.flat()) for (const m of block.members) blockOf.set(m, block);
    pack(row);
  });

  // x positions: alternate passes placing children under parents and parents over children.
  const blockRows = rows.map(flat);
  const rowGaps = new Map(blockRows.map((blocks) => [blocks, gapsFor(blocks)]));
  const place = (blocks: Block[], down: boolean): void => {
    if (!blocks.length) return;
    const desired: number[] = [];
    const weights: number[] = [];
    for (const block of blocks) {
      const centre = blockCentre(block);
      const wants: number[] = [];
      block.members.forEach((m, i) => {
        const targets = down ? primaryParents.get(m) ?? [] : primaryChildren.get(m) ?? [];
        const t = mean(targets.map((q) => x.get(q) ?? 0));
        if (t !== undefined) wants.push(t - (i * PARTNER_GAP - block.width / 2));
      });
      desired.push(mean(wants) ?? centre);
      weights.push(wants.length || 0.05);
    }
    const centres = isotonicPlace(desired, weights, rowGaps.get(blocks) ?? gapsFor(blocks));
    blocks.forEach((b, i) => setBlockCentre(b, centres[i] ?? 0));
  };
  for (let iteration = 0; iteration < 8; iteration++) {
    for (let r = 1; r < blockRows.length; r++) place(blockRows[r]!, true);
    for (let r = blockRows.length - 2; r >= 0; r--) place(blockRows[r]!, false);
  }
  return { gen, rows: blockRows, x, layoutParents, layoutChildren };
}

/** Where each person is placed: generation 0 is the top row; `order` counts from the left. */
export interface FamilyTreePlacement {
  id: string;
  generation: number;
  order: number;
  /** centre of the symbol, in layout units (relative; the SVG adds margins) */
  x: number;
}

/** The layout renderFamilyTree draws, without drawing it (for tests and other renderers). */
export function layoutFamilyTree(input: FamilyTreeInput): FamilyTreePlacement[] {
  const g = buildGraph(input);
  if (!g.people.length) return [];
  const { gen, rows, x } = layout(g, input.subjectId);
  return rows.flatMap((blocks) => {
    const ids = blocks.flatMap((b) => b.members).sort((a, b) => (x.get(a) ?? 0) - (x.get(b) ?? 0));
    return ids.map((id, order) => ({ id, generation: gen.get(id) ?? 0, order, x: x.get(id) ?? 0 }));
  });
}

// ---------------------------------------------------------------------------------------------
// Drawing

interface PersonView {
  id: string;
  person: TreePerson;
  x: number;
  cy: number;
  top: number; // y of the top of the symbol (where child lines attach)
  bottom: number;
  nameLines: string[];
  detail: string[];
  halfText: number; // half the width of the widest text line
  subject: boolean;
}

function bornText(p: TreePerson): string | undefined {
  const born = clean(p.born);
  if (!born) return p.unborn ? 'unborn' : undefined;
  if (p.unborn || /^(expected|due)\b/i.test(born)) return born;
  return `born ${born}`;
}

function detailLines(p: TreePerson): string[] {
  const lines: string[] = [];
  const born = bornText(p);
  if (born) lines.push(chars(born).length > 22 ? chars(born).slice(0, 21).join('') + '…' : born);
  if (p.shielded) lines.push('restricted');
  return lines;
}

type LineStyle = 'solid' | 'dashed' | 'dotted' | 'dashdot';

function strokeAttrs(style: LineStyle, width = 2): string {
  const dash = style === 'dashed' ? ' stroke-dasharray="8 5"'
    : style === 'dotted' ? ' stroke-dasharray="1 5" stroke-linecap="round"'
    : style === 'dashdot' ? ' stroke-dasharray="12 4 2 4"'
    : '';
  return `fill="none" stroke="${INK}" stroke-width="${style === 'dotted' ? 2.5 : width}"${dash}`;
}

function path(d: string, style: LineStyle): string {
  return `<path d="${d}" ${strokeAttrs(style)}/>`;
}

function symbol(p: TreePerson, cx: number, cy: number, subject: boolean): string {
  const stroke = subject ? `stroke="${BLUE}" stroke-width="4"` : `stroke="${INK}" stroke-width="2"`;
  const fill = `fill="${WHITE}"`;
  let shape: string;
  let reach = HALF + 5;
  if (p.unborn) {
    shape = `<polygon points="${fmt(cx)},${fmt(cy - 15)} ${fmt(cx + 15)},${fmt(cy + 12)} ${fmt(cx - 15)},${fmt(cy + 12)}" ${fill} ${stroke}/>`;
    reach = 17;
  } else if (p.sex === 'male') {
    shape = `<rect x="${fmt(cx - HALF)}" y="${fmt(cy - HALF)}" width="${HALF * 2}" height="${HALF * 2}" ${fill} ${stroke}/>`;
  } else if (p.sex === 'female') {
    shape = `<circle cx="${fmt(cx)}" cy="${fmt(cy)}" r="${HALF}" ${fill} ${stroke}/>`;
    reach = HALF;
  } else {
    const d = HALF + 4;
    shape = `<polygon points="${fmt(cx)},${fmt(cy - d)} ${fmt(cx + d)},${fmt(cy)} ${fmt(cx)},${fmt(cy + d)} ${fmt(cx - d)},${fmt(cy)}" ${fill} ${stroke}/>`;
    reach = HALF - 2;
  }
  if (p.deceased) {
    const r = reach;
    const cross = `stroke="${subject ? BLUE : INK}" stroke-width="2"`;
    shape += `<path d="M${fmt(cx - r)} ${fmt(cy - r)}L${fmt(cx + r)} ${fmt(cy + r)}M${fmt(cx + r)} ${fmt(cy - r)}L${fmt(cx - r)} ${fmt(cy + r)}" fill="none" ${cross}/>`;
  }
  return shape;
}

function symbolTop(p: TreePerson, cy: number): number {
  if (p.unborn) return cy - 15;
  if (p.sex === 'male' || p.sex === 'female') return cy - HALF;
  return cy - HALF - 4;
}

interface Legend {
  key: string;
  label: string;
  draw: (x: number, y: number) => string;
}

function legendItems(used: Set<string>): Legend[] {
  const dummy = (sex: TreePerson['sex'], extra: Partial<TreePerson> = {}): TreePerson => ({ id: '', name: '', sex, ...extra });
  const small = (inner: string, x: number, y: number): string => `<g transform="translate(${fmt(x)} ${fmt(y)}) scale(0.5)">${inner}</g>`;
  const all: Legend[] = [
    { key: 'male', label: 'Male', draw: (x, y) => small(symbol(dummy('male'), 0, 0, false), x + 10, y) },
    { key: 'female', label: 'Female', draw: (x, y) => small(symbol(dummy('female'), 0, 0, false), x + 10, y) },
    { key: 'other', label: 'Other or unknown sex', draw: (x, y) => small(symbol(dummy('unknown'), 0, 0, false), x + 10, y) },
    { key: 'unborn', label: 'Unborn baby', draw: (x, y) => small(symbol(dummy('unknown', { unborn: true }), 0, 0, false), x + 10, y) },
    { key: 'deceased', label: 'Died', draw: (x, y) => small(symbol(dummy('male', { deceased: true }), 0, 0, false), x + 10, y) },
    { key: 'subject', label: 'Subject (thick blue outline)', draw: (x, y) => small(symbol(dummy('female'), 0, 0, true), x + 10, y) },
    { key: 'partner', label: 'Partners', draw: (x, y) => path(`M${fmt(x)} ${fmt(y)}H${fmt(x + 24)}`, 'solid') },
    { key: 'siblings', label: 'Siblings (parents not recorded)', draw: (x, y) => path(`M${fmt(x + 2)} ${fmt(y + 9)}V${fmt(y - 6)}H${fmt(x + 22)}V${fmt(y + 9)}`, 'solid') },
    { key: 'half-siblings', label: 'Half-siblings (parents not recorded)', draw: (x, y) => path(`M${fmt(x + 2)} ${fmt(y + 9)}V${fmt(y - 6)}H${fmt(x + 22)}V${fmt(y + 9)}`, 'dashdot') },
    { key: 'birth', label: 'Birth parent', draw: (x, y) => path(`M${fmt(x + 12)} ${fmt(y - 9)}V${fmt(y + 9)}`, 'solid') },
    { key: 'nonbirth', label: 'Step-parent, carer or parental responsibility', draw: (x, y) => path(`M${fmt(x + 12)} ${fmt(y - 9)}V${fmt(y + 9)}`, 'dashed') },
    { key: 'household-outline', label: 'Lives in the same household (dotted outline)', draw: (x, y) => `<rect x="${fmt(x + 2)}" y="${fmt(y - 9)}" width="20" height="18" rx="4" ${strokeAttrs('dotted')}/>` },
    { key: 'household', label: 'Same household', draw: (x, y) => path(`M${fmt(x)} ${fmt(y)}H${fmt(x + 24)}`, 'dotted') },
  ];
  return all.filter((l) => used.has(l.key));
}

interface Connector {
  /** 'couple': drop from the middle of a partner line; 'side': stub from the parent's side; 'below': straight down */
  kind: 'couple' | 'side' | 'below';
  parent: string;
  /** x of the parent (or of the couple's midpoint) */
  ax: number;
  /** x where the vertical drop runs */
  dropX: number;
  /** offset below the parent's centre of a side stub */
  stubY?: number;
  style: LineStyle;
  children: string[];
  parentRow: number;
  childRow: number;
  /** x where the line passes through each row between parent and child */
  waypoints: number[];
  /** row → lane of the horizontal segment in the gap above that row */
  lanes: Map<number, number>;
}

export function renderFamilyTree(input: FamilyTreeInput): FamilyTree {
  const g = buildGraph(input);
  const subjectId = input.subjectId;
  const uid = `family-tree-${idPart(String(subjectId))}`;
  const title = clean(input.title) || 'Family tree';
  const textAlternative = describe(g, subjectId);

  if (!g.people.length) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${uid}-title ${uid}-desc" viewBox="0 0 ${MIN_WIDTH} 60" width="100%" font-family="${FONT}">`
      + `<title id="${uid}-title">${esc(title)}</title><desc id="${uid}-desc">No people are recorded.</desc>`
      + `<text x="${MARGIN}" y="36" font-size="16" fill="${INK}">No people are recorded.</text></svg>`;
    return { svg, textAlternative };
  }

  const placed = layout(g, subjectId);
  const { gen, rows, x, layoutParents } = placed;
  const genOf = (id: string): number => gen.get(id) ?? 0;
  const isSubject = (p: TreePerson): boolean => p.id === subjectId;
  const used = new Set<string>();

  // Text per person, and the height of each row's text block.
  const views = new Map<string, PersonView>();
  const textHeight = rows.map((blocks) => {
    let lines = 1;
    for (const b of blocks) {
      for (const id of b.members) {
        const p = g.byId.get(id)!;
        lines = Math.max(lines, wrapName(p.name).length + detailLines(p).length);
      }
    }
    return 10 + lines * LINE_H;
  });

  // Connectors from parents to children: birth parents who are adjacent partners share one
  // drop from the middle of their partner line; every other link drops from the parent's side.
  const blockOf = new Map<string, Block>();
  for (const blocks of rows) for (const b of blocks) for (const m of b.members) blockOf.set(m, b);
  const adjacentPairs = new Set<string>();
  for (const b of blockOf.values()) {
    for (let i = 1; i < b.members.length; i++) {
      adjacentPairs.add(`${b.members[i - 1]}\u0000${b.members[i]}`);
      adjacentPairs.add(`${b.members[i]}\u0000${b.members[i - 1]}`);
    }
  }
  const adjacentPartners = (a: string, b: string): boolean => adjacentPairs.has(`${a}\u0000${b}`);
  const connectorKeys = new Map<string, { parents: string[]; style: LineStyle; children: string[] }>();
  const irregular: { parent: string; child: string; style: LineStyle }[] = [];
  for (const p of g.people) {
    const ps = g.parents.get(p.id);
    if (!ps) continue;
    const birth = [...ps].filter(([, types]) => types.some((t) => BIRTH_LINK.has(t))).map(([q]) => q);
    const layoutSet = new Set(layoutParents.get(p.id) ?? []);
    const handled = new Set<string>();
    const birthLayout = birth.filter((q) => layoutSet.has(q));
    if (birthLayout.length === 2 && adjacentPartners(birthLayout[0]!, birthLayout[1]!)) {
      const pair = [...birthLayout].sort((a, b) => (x.get(a) ?? 0) - (x.get(b) ?? 0));
      const key = `c:${pair.join('\u0000')}\u0000${genOf(p.id)}`;
      const entry = connectorKeys.get(key) ?? { parents: pair, style: 'solid' as LineStyle, children: [] };
      entry.children.push(p.id);
      connectorKeys.set(key, entry);
      pair.forEach((q) => handled.add(q));
    }
    for (const [q, types] of ps) {
      const style: LineStyle = types.some((t) => BIRTH_LINK.has(t)) ? 'solid' : 'dashed';
      used.add(style === 'solid' ? 'birth' : 'nonbirth');
      if (handled.has(q)) continue;
      if (!layoutSet.has(q)) {
        irregular.push({ parent: q, child: p.id, style });
        continue;
      }
      const key = `s:${q}\u0000${style}\u0000${genOf(p.id)}`; // one bus per parent, style and row of children
      const entry = connectorKeys.get(key) ?? { parents: [q], style, children: [] };
      entry.children.push(p.id);
      connectorKeys.set(key, entry);
    }
  }

  // Unexplained sibling links (no shared recorded parent) get a bar above the row.
  const siblingBars: { members: string[]; row: number; lane: number; half: boolean }[] = [];
  for (const map of [g.siblings, g.halfSiblings]) {
    const seen = new Set<string>();
    for (const p of g.people) {
      if (seen.has(p.id)) continue;
      const component: string[] = [];
      const queue = [p.id];
      seen.add(p.id);
      while (queue.length) {
        const id = queue.shift()!;
        const parentsOfId = new Set(g.parents.get(id)?.keys() ?? []);
        for (const s of linked(map, id)) {
          const shared = [...(g.parents.get(s)?.keys() ?? [])].some((q) => parentsOfId.has(q));
          if (shared || seen.has(s) || genOf(s) !== genOf(id)) continue;
          seen.add(s);
          queue.push(s);
        }
        component.push(id);
      }
      if (component.length > 1) siblingBars.push({ members: component, row: genOf(p.id), lane: 0, half: map === g.halfSiblings });
    }
  }

  const connectors: Connector[] = [];
  // Birth links first, so they get the natural side of a single parent.
  const groupsInOrder = [...connectorKeys.values()].sort((a, b) => (a.style === b.style ? 0 : a.style === 'solid' ? -1 : 1));
  for (const { parents, style, children } of groupsInOrder) {
    const childRow = genOf(children[0]!);
    const parentRow = genOf(parents[0]!);
    const childMean = mean(children.map((c) => x.get(c) ?? 0)) ?? 0;
    const q = parents[0]!;
    const base = { parent: q, style, children, parentRow, childRow, waypoints: [] as number[], lanes: new Map<number, number>() };
    if (parents.length === 2) {
      const ax = ((x.get(q) ?? 0) + (x.get(parents[1]!) ?? 0)) / 2;
      connectors.push({ ...base, kind: 'couple', ax, dropX: ax });
      continue;
    }
    // A single parent: a short stub out of the side facing the children (away from any
    // partner, whose line would be confused with it), then down, clear of the name.
    const qx = x.get(q) ?? 0;
    const person = g.byId.get(q)!;
    const block = blockOf.get(q);
    const i = block?.members.indexOf(q) ?? -1;
    const open = (side: number): boolean => !(side === -1 ? i > 0 : block !== undefined && i >= 0 && i < block.members.length - 1);
    const usedOn = (side: number): number =>
      connectors.filter((c) => c.kind === 'side' && c.parent === q && Math.sign(c.dropX - qx) === side).length;
    const half = Math.max(...[...wrapName(person.name), ...detailLines(person)].map((l) => textWidth(l, NAME_SIZE))) / 2;
    const reach = Math.min(Math.max(half + 10, HALF + 16), SLOT / 2 - 14);
    const preferred = childMean >= qx ? 1 : -1;
    const side = open(preferred) && (!usedOn(preferred) || !open(-preferred) || usedOn(-preferred)) ? preferred : open(-preferred) ? -preferred : 0;
    // a second link out of the same side runs parallel, a little further out and lower
    const k = side ? usedOn(side) : 0;
    if (side === 0) connectors.push({ ...base, kind: 'below', ax: qx, dropX: qx });
    else connectors.push({ ...base, kind: 'side', ax: qx, dropX: qx + side * (reach + k * 9), stubY: Math.min(k * 7, HALF - 4) });
  }

  // Links spanning several generations pass through each row in between at a free gap
  // (between two people who are not partners, or beyond the ends of the row).
  for (const c of connectors) {
    let at = c.dropX;
    const target = mean(c.children.map((ch) => x.get(ch) ?? 0)) ?? at;
    for (let r = c.parentRow + 1; r < c.childRow; r++) {
      const people = rows[r]!.flatMap((b) => b.members).sort((a, b) => (x.get(a) ?? 0) - (x.get(b) ?? 0));
      const xs = people.map((id) => x.get(id) ?? 0);
      const candidates = [(xs[0] ?? 0) - SLOT / 2 - 10, (xs[xs.length - 1] ?? 0) + SLOT / 2 + 10];
      for (let k = 1; k < people.length; k++) {
        if (!adjacentPartners(people[k - 1]!, people[k]!)) candidates.push(((xs[k - 1] ?? 0) + (xs[k] ?? 0)) / 2);
      }
      const from = at;
      at = candidates.reduce((best, cand) => (Math.abs(cand - from) + Math.abs(cand - target) < Math.abs(best - from) + Math.abs(best - target) ? cand : best));
      c.waypoints.push(at);
    }
  }
  const approachX = (c: Connector): number => c.waypoints[c.waypoints.length - 1] ?? c.dropX;

  // Where each connector meets a child: several connectors into one child are spread apart.
  const attachments = new Map<string, Connector[]>();
  for (const c of connectors) for (const ch of c.children) push(attachments, ch, c);
  for (const list of attachments.values()) list.sort((a, b) => approachX(a) - approachX(b));
  const attachX = (child: string, c: Connector): number => {
    const list = attachments.get(child) ?? [];
    const i = list.indexOf(c);
    return (x.get(child) ?? 0) + (i - (list.length - 1) / 2) * 10;
  };

  // Lanes: horizontal segments in the gap above each row are given distinct heights where they overlap.
  const laneItems: { left: number; right: number; set: (lane: number) => void }[][] = rows.map(() => []);
  for (const c of connectors) {
    let at = c.dropX;
    for (let r = c.parentRow + 1; r <= c.childRow; r++) {
      const xs = r === c.childRow ? [at, ...c.children.map((ch) => attachX(ch, c))] : [at, c.waypoints[r - c.parentRow - 1] ?? at];
      laneItems[r]!.push({ left: Math.min(...xs), right: Math.max(...xs), set: (lane) => c.lanes.set(r, lane) });
      at = xs[1] ?? at;
    }
  }
  for (const bar of siblingBars) {
    const xs = bar.members.map((m) => x.get(m) ?? 0);
    laneItems[bar.row]!.push({ left: Math.min(...xs), right: Math.max(...xs), set: (lane) => (bar.lane = lane) });
  }
  const lanesPerRow = laneItems.map((items) => {
    items.sort((a, b) => a.left - b.left || a.right - b.right);
    const laneEnds: number[] = [];
    for (const item of items) {
      let lane = laneEnds.findIndex((end) => end < item.left - 36);
      if (lane < 0) {
        lane = laneEnds.length;
        laneEnds.push(item.right);
      } else laneEnds[lane] = item.right;
      item.set(lane);
    }
    return laneEnds.length;
  });

  const households: string[][] = [];
  {
    const seen = new Set<string>();
    for (const p of g.people) {
      if (seen.has(p.id) || !g.household.get(p.id)?.size) continue;
      const group: string[] = [];
      const queue = [p.id];
      seen.add(p.id);
      while (queue.length) {
        const cur = queue.shift()!;
        group.push(cur);
        for (const s of g.household.get(cur) ?? []) {
          if (!seen.has(s)) {
            seen.add(s);
            queue.push(s);
          }
        }
      }
      households.push(group);
    }
  }
  // Vertical positions.
  const rowTop: number[] = [];
  // Room above the first row for sibling bars, and for arcs (household links, partners who
  // cannot sit side by side, links the layout could not honour).
  const arcs = irregular.length > 0 || households.some((h) => !h.includes(subjectId))
    || [...g.partners].some(([a, set]) => [...set].some((b) => !adjacentPartners(a, b)));
  let y = MARGIN + Math.max(arcs ? 40 : 0, lanesPerRow[0]! ? 10 + lanesPerRow[0]! * LANE : 0);
  rows.forEach((_, r) => {
    if (r > 0) y += Math.max(MIN_GAP, 24 + lanesPerRow[r]! * LANE);
    rowTop.push(y);
    y += HALF * 2 + textHeight[r]!;
  });
  const contentBottom = y;

  // Horizontal extent and centring.
  let minX = Infinity;
  let maxX = -Infinity;
  for (const p of g.people) {
    const px = x.get(p.id) ?? 0;
    const half = Math.max(HALF + 6, ...[...wrapName(p.name), ...detailLines(p)].map((l) => textWidth(l, NAME_SIZE, isSubject(p)) / 2));
    minX = Math.min(minX, px - half);
    maxX = Math.max(maxX, px + half);
  }
  for (const c of connectors) {
    minX = Math.min(minX, c.dropX - 4, ...c.waypoints.map((w) => w - 4));
    maxX = Math.max(maxX, c.dropX + 4, ...c.waypoints.map((w) => w + 4));
  }

  for (const p of g.people) {
    const cy = rowTop[genOf(p.id)]! + HALF;
    used.add(p.sex === 'male' ? 'male' : p.sex === 'female' ? 'female' : 'other');
    if (p.unborn) used.add('unborn');
    if (p.deceased) used.add('deceased');
    if (isSubject(p)) used.add('subject');
    const nameLines = wrapName(p.name);
    const detail = detailLines(p);
    views.set(p.id, {
      id: p.id, person: p, x: x.get(p.id) ?? 0, cy,
      top: symbolTop(p, cy), bottom: cy + HALF,
      nameLines, detail,
      halfText: Math.max(...[...nameLines, ...detail].map((l) => textWidth(l, NAME_SIZE))) / 2,
      subject: isSubject(p),
    });
  }
  if (g.partners.size) used.add('partner');
  if (siblingBars.some((b) => !b.half)) used.add('siblings');
  if (siblingBars.some((b) => b.half)) used.add('half-siblings');
  const outlined = new Set(households.find((h) => h.includes(subjectId)) ?? []);
  if (outlined.size) used.add('household-outline');
  if (households.some((h) => !h.includes(subjectId))) used.add('household');

  // Legend layout (wraps to the width of the drawing).
  const legend = legendItems(used);
  const contentWidth = maxX - minX;
  const width = Math.max(MIN_WIDTH, contentWidth + MARGIN * 2);
  const legendLines: { item: Legend; x: number; line: number }[] = [];
  {
    let lx = 0;
    let line = 0;
    for (const item of legend) {
      const w = 32 + textWidth(item.label, SMALL_SIZE) + 24;
      if (lx > 0 && lx + w > width - MARGIN * 2) {
        lx = 0;
        line++;
      }
      legendLines.push({ item, x: lx, line });
      lx += w;
    }
  }
  const legendTop = contentBottom + 28;
  const legendRows = legendLines.length ? (legendLines[legendLines.length - 1]?.line ?? 0) + 1 : 0;
  const height = legendTop + legendRows * 26 + (legendRows ? 14 : 0) + MARGIN / 2;
  const offsetX = MARGIN - minX + (width - MARGIN * 2 - contentWidth) / 2;
  const X = (v: number): number => v + offsetX;

  // --- Build the SVG ---
  const out: string[] = [];
  const lines: string[] = [];

  // Households. The subject's household is shown by a dotted outline round each member;
  // any other household by dotted links between its members.
  for (const id of outlined) {
    const v = views.get(id)!;
    const half = Math.max(HALF + 8, v.halfText + 6);
    const top = Math.min(v.top, v.cy - HALF) - 7;
    const bottom = v.bottom + 18 + (v.nameLines.length + v.detail.length - 1) * LINE_H + 7;
    lines.push(`<rect x="${fmt(X(v.x) - half)}" y="${fmt(top)}" width="${fmt(half * 2)}" height="${fmt(bottom - top)}" rx="8" ${strokeAttrs('dotted')}/>`);
  }
  for (const group of households) {
    if (group.some((m) => outlined.has(m))) continue;
    const done = new Set<string>();
    for (const a of group) {
      for (const b of g.household.get(a) ?? []) {
        const key = [a, b].sort().join('\u0000');
        if (done.has(key)) continue;
        done.add(key);
        const va = views.get(a)!;
        const vb = views.get(b)!;
        if (va.cy === vb.cy) {
          const [l, r] = va.x <= vb.x ? [va, vb] : [vb, va];
          const lift = 30 + Math.min(30, (r.x - l.x) * 0.06);
          lines.push(path(`M${fmt(X(l.x))} ${fmt(l.top)}C${fmt(X(l.x))} ${fmt(l.top - lift)} ${fmt(X(r.x))} ${fmt(r.top - lift)} ${fmt(X(r.x))} ${fmt(r.top)}`, 'dotted'));
        } else {
          lines.push(path(`M${fmt(X(va.x))} ${fmt(va.cy)}L${fmt(X(vb.x))} ${fmt(vb.cy)}`, 'dotted'));
        }
      }
    }
  }

  // Parent → child connectors.
  for (const c of connectors) {
    const laneY = (r: number): number => rowTop[r]! - 20 - (c.lanes.get(r) ?? 0) * LANE;
    const parent = views.get(c.parent)!;
    const firstLane = laneY(c.parentRow + 1);
    let d: string;
    if (c.kind === 'side') d = `M${fmt(X(c.ax))} ${fmt(parent.cy + (c.stubY ?? 0))}H${fmt(X(c.dropX))}V${fmt(firstLane)}`;
    else if (c.kind === 'below') d = `M${fmt(X(c.ax))} ${fmt(parent.bottom)}V${fmt(firstLane)}`;
    else d = `M${fmt(X(c.dropX))} ${fmt(parent.cy)}V${fmt(firstLane)}`;
    let at = c.dropX;
    c.waypoints.forEach((w, k) => {
      const r = c.parentRow + 1 + k;
      d += `H${fmt(X(w))}V${fmt(laneY(r + 1))}`;
      at = w;
    });
    const busY = laneY(c.childRow);
    const xs = [at, ...c.children.map((ch) => attachX(ch, c))];
    d += `M${fmt(X(Math.min(...xs)))} ${fmt(busY)}H${fmt(X(Math.max(...xs)))}`;
    for (const ch of c.children) d += `M${fmt(X(attachX(ch, c)))} ${fmt(busY)}V${fmt(views.get(ch)!.top)}`;
    lines.push(path(d, c.style));
  }
  // Links the layout could not honour (cycles, contradictions): a direct line.
  for (const { parent, child, style } of irregular) {
    const a = views.get(parent)!;
    const b = views.get(child)!;
    if (a.cy === b.cy) {
      lines.push(path(`M${fmt(X(a.x))} ${fmt(a.top)}Q${fmt(X((a.x + b.x) / 2))} ${fmt(a.top - 70)} ${fmt(X(b.x))} ${fmt(b.top)}`, style));
    } else {
      lines.push(path(`M${fmt(X(a.x))} ${fmt(a.cy)}L${fmt(X(b.x))} ${fmt(b.cy)}`, style));
    }
  }
  // Sibling bars.
  for (const bar of siblingBars) {
    const laneY = rowTop[bar.row]! - 20 - bar.lane * LANE;
    const vs = bar.members.map((m) => views.get(m)!);
    const xs = vs.map((v) => X(v.x));
    let d = `M${fmt(Math.min(...xs))} ${fmt(laneY)}H${fmt(Math.max(...xs))}`;
    for (const v of vs) d += `M${fmt(X(v.x))} ${fmt(laneY)}V${fmt(v.top)}`;
    lines.push(path(d, bar.half ? 'dashdot' : 'solid'));
  }
  // Partner lines.
  {
    const done = new Set<string>();
    for (const [a, set] of g.partners) {
      for (const b of set) {
        const key = [a, b].sort().join('\u0000');
        if (done.has(key)) continue;
        done.add(key);
        const va = views.get(a)!;
        const vb = views.get(b)!;
        if (adjacentPartners(a, b)) {
          lines.push(path(`M${fmt(X(va.x))} ${fmt(va.cy)}H${fmt(X(vb.x))}`, 'solid'));
        } else {
          const [l, r] = va.x <= vb.x ? [va, vb] : [vb, va];
          lines.push(path(`M${fmt(X(l.x))} ${fmt(l.cy)}Q${fmt(X((l.x + r.x) / 2))} ${fmt(Math.min(l.top, r.top) - 60)} ${fmt(X(r.x))} ${fmt(r.cy)}`, 'solid'));
        }
      }
    }
  }
  out.push(`<g aria-hidden="true">${lines.join('')}</g>`);

  // People, drawn over the lines.
  let hasLinks = false;
  let textCount = 0;
  for (const p of g.people) {
    const v = views.get(p.id)!;
    const cx = X(v.x);
    const href = safeHref(p.href);
    if (href) hasLinks = true;
    // Text has a white halo so lines passing behind it stay legible. Each halo is a <use>
    // clone of its line, stroked white and painted before any text: Chromium garbles an
    // underline that a halo (even the text's own paint-order="stroke") is painted over, and a
    // clone adds nothing to the link's text content (WCAG 2.5.3 label in name).
    let haloes = '';
    let texts = '';
    let ty = v.bottom + 18;
    const line = (text: string, size: number, fill: string, extra: string): void => {
      const id = `${uid}-t${textCount++}`;
      haloes += `<use href="#${id}" stroke="${WHITE}" stroke-width="5" stroke-linejoin="round" aria-hidden="true"/>`;
      // the trailing space is not drawn, but keeps the lines' words apart in the link's text
      const underline = fill === BLUE && size === NAME_SIZE ? ' text-decoration="underline"' : '';
      texts += `<text id="${id}" x="${fmt(cx)}" y="${fmt(ty)}" text-anchor="middle" font-size="${size}" fill="${fill}"${extra}${underline}>${esc(text)} </text>`;
      ty += LINE_H;
    };
    for (const text of v.nameLines) line(text, NAME_SIZE, href ? BLUE : INK, v.subject ? ' font-weight="bold"' : '');
    for (const text of v.detail) line(text, SMALL_SIZE, SECONDARY, '');
    const t = symbol(p, cx, v.cy, v.subject) + haloes + texts;
    // The accessible name starts with the visible text (WCAG 2.5.3), then what the symbol shows.
    const visible = [...v.nameLines, ...v.detail].join(' ');
    const extras = [
      visible.includes(p.name) ? undefined : p.name,
      p.deceased ? 'died' : undefined,
      p.unborn && !/expected|unborn|due/i.test(visible) ? 'unborn' : undefined,
      v.subject ? 'the subject' : undefined,
    ].filter(Boolean);
    const label = extras.length ? `${visible}, ${extras.join(', ')}` : visible;
    if (href) {
      out.push(`<a href="${esc(href)}" aria-label="${esc(label)}">${t}</a>`);
    } else {
      out.push(`<g aria-hidden="true"><title>${esc(label)}</title>${t}</g>`);
    }
  }

  // Legend.
  if (legendLines.length) {
    const parts: string[] = [`<text x="${MARGIN}" y="${fmt(legendTop - 6)}" font-size="${SMALL_SIZE}" font-weight="bold" fill="${INK}">Key</text>`];
    for (const { item, x: lx, line } of legendLines) {
      const ly = legendTop + 14 + line * 26;
      parts.push(item.draw(MARGIN + lx, ly));
      parts.push(`<text x="${fmt(MARGIN + lx + 32)}" y="${fmt(ly + 4.5)}" font-size="${SMALL_SIZE}" fill="${INK}">${esc(item.label)}</text>`);
    }
    out.push(`<g aria-hidden="true">${parts.join('')}</g>`);
  }

  const subject = g.byId.get(subjectId);
  const generations = rows.length;
  const summary = `Family tree of ${g.people.length} ${g.people.length === 1 ? 'person' : 'people'} across ${generations} ${generations === 1 ? 'generation' : 'generations'}`
    + (subject ? `, centred on ${subject.name}` : '')
    + '. The same information is given as a list of sentences with the diagram.';
  // role="img" makes its content presentational, so it cannot hold links (axe:
  // nested-interactive). With links the drawing is a labelled group in which only the links
  // are exposed; everything else is aria-hidden and carried by the text alternative.
  const role = hasLinks ? 'group' : 'img';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" role="${role}" aria-labelledby="${uid}-title ${uid}-desc" viewBox="0 0 ${fmt(width)} ${fmt(height)}" width="100%" font-family="${FONT}">`
    + `<title id="${uid}-title">${esc(title)}</title><desc id="${uid}-desc">${esc(summary)}</desc>`
    + `<rect width="100%" height="100%" fill="${WHITE}" aria-hidden="true"/>`
    + out.join('')
    + '</svg>';
  return { svg, textAlternative };
}

// ---------------------------------------------------------------------------------------------
// Text alternative

const PLURAL_NOUN: Record<string, [string, string]> = {
  parent: ['parent', 'parents'],
  step_parent: ['step-parent', 'step-parents'],
  carer: ['carer', 'carers'],
};

function describe(g: Graph, subjectId: string): string[] {
  const sentences: string[] = [];
  const cmp = byOrder(g);
  const subject = g.byId.get(subjectId);

  // Labels: names, disambiguated when two people share one.
  const nameCount = new Map<string, number>();
  for (const p of g.people) nameCount.set(p.name.toLowerCase(), (nameCount.get(p.name.toLowerCase()) ?? 0) + 1);
  const annotation = (p: TreePerson): string | undefined => {
    const born = clean(p.born);
    if (p.unborn) return born ? (/^(expected|due)\b/i.test(born) ? born : `expected ${born}`) : 'unborn';
    return born ? (/^(expected|due)\b/i.test(born) ? born : `born ${born}`) : undefined;
  };
  const labels = new Map<string, string>();
  const seenLabels = new Map<string, number>();
  for (const p of g.people) {
    let label = p.name;
    if ((nameCount.get(p.name.toLowerCase()) ?? 0) > 1) {
      const a = annotation(p);
      label = a ? `${p.name} (${a})` : p.name;
      const n = (seenLabels.get(label.toLowerCase()) ?? 0) + 1;
      seenLabels.set(label.toLowerCase(), n);
      if (n > 1) label = `${label} [${n}]`;
    }
    labels.set(p.id, label);
  }
  const mentioned = new Set<string>();
  const mention = (id: string, withAnnotation = true): string => {
    const p = g.byId.get(id)!;
    const label = labels.get(id) ?? p.name;
    if (mentioned.has(id) || !withAnnotation) {
      mentioned.add(id);
      return esc(label);
    }
    mentioned.add(id);
    const a = annotation(p);
    const duplicate = (nameCount.get(p.name.toLowerCase()) ?? 0) > 1;
    return esc(a && !duplicate ? `${label} (${a})` : label);
  };
  const list = (ids: string[]): string => joinList(ids.map((id) => mention(id)));
  /** "Amy Carter's parents", or "The parents of Ben Carter (born 2016)" on a first mention. */
  const whose = (id: string, noun: string): string =>
    mentioned.has(id) ? `${possessive(mention(id))} ${noun}` : `The ${noun} of ${mention(id)}`;

  if (subject) {
    sentences.push(`${mention(subjectId)} is the subject${subject.unborn ? ', an unborn baby' : ''}.`);
  }

  // Order people: subject first, then by input order.
  const ordered = [...g.people].map((p) => p.id).sort((a, b) => (a === subjectId ? -1 : b === subjectId ? 1 : cmp(a, b)));

  // Parent-like relationships, one sentence per child and type.
  for (const child of ordered) {
    const ps = g.parents.get(child);
    if (!ps) continue;
    const ofType = (t: TreeRelationType): string[] => [...ps].filter(([, types]) => types.includes(t)).map(([q]) => q).sort(cmp);
    for (const type of ['parent', 'step_parent', 'carer'] as const) {
      const qs = ofType(type);
      if (!qs.length) continue;
      const [one, many] = PLURAL_NOUN[type]!;
      sentences.push(`${whose(child, qs.length === 1 ? one : many)} ${qs.length === 1 ? 'is' : 'are'} ${list(qs)}.`);
    }
    const pr = ofType('parental_responsibility');
    if (pr.length) {
      const who = list(pr);
      sentences.push(`${who} ${pr.length === 1 ? 'has' : 'have'} parental responsibility for ${mention(child)}.`);
    }
    const expecting = ofType('unborn_child_of');
    if (expecting.length) {
      const who = list(expecting);
      sentences.push(`${who} ${expecting.length === 1 ? 'is' : 'are'} expecting a baby, ${mention(child)}.`);
    }
  }

  // Partners, one sentence per couple.
  const pairs = (map: Map<string, Set<string>>): [string, string][] => {
    const result: [string, string][] = [];
    for (const a of ordered) {
      for (const b of [...(map.get(a) ?? [])].sort(cmp)) {
        if (cmp(a, b) < 0 || (a === subjectId && b !== subjectId) ) {
          if (!result.some(([x, y]) => (x === b && y === a))) result.push([a, b]);
        }
      }
    }
    return result;
  };
  for (const [a, b] of pairs(g.partners)) sentences.push(`${mention(a)} and ${mention(b)} are partners.`);

  // Full siblings: one sentence per connected group (full siblinghood is transitive).
  {
    const seen = new Set<string>();
    for (const id of ordered) {
      if (seen.has(id) || !g.siblings.get(id)?.size) continue;
      const group: string[] = [];
      const queue = [id];
      seen.add(id);
      while (queue.length) {
        const cur = queue.shift()!;
        group.push(cur);
        for (const s of g.siblings.get(cur) ?? []) if (!seen.has(s)) {
          seen.add(s);
          queue.push(s);
        }
      }
      group.sort((a, b) => (a === subjectId ? -1 : b === subjectId ? 1 : cmp(a, b)));
      sentences.push(`${list(group)} are siblings.`);
    }
  }
  // Half-siblings: not transitive, so per person, each pair said once.
  {
    const said = new Set<string>();
    for (const id of ordered) {
      const others = [...(g.halfSiblings.get(id) ?? [])].filter((s) => !said.has([id, s].sort().join('\u0000'))).sort(cmp);
      if (!others.length) continue;
      for (const s of others) said.add([id, s].sort().join('\u0000'));
      if (others.length === 1) sentences.push(`${mention(id)} and ${mention(others[0]!)} are half-siblings.`);
      else sentences.push(`${whose(id, 'half-siblings')} are ${list(others)}.`);
    }
  }

  // Households: one sentence per household (connected group of household links).
  {
    const seen = new Set<string>();
    for (const id of ordered) {
      if (seen.has(id) || !g.household.get(id)?.size) continue;
      const group: string[] = [];
      const queue = [id];
      seen.add(id);
      while (queue.length) {
        const cur = queue.shift()!;
        group.push(cur);
        for (const s of g.household.get(cur) ?? []) if (!seen.has(s)) {
          seen.add(s);
          queue.push(s);
        }
      }
      group.sort(cmp);
      if (group.includes(subjectId)) {
        const others = group.filter((m) => m !== subjectId);
        const described = others.map((m) => {
          const roles = rolesToSubject(g, m, subjectId);
          return roles.length ? `${mention(m)} (${roles.join(' and ')})` : mention(m);
        });
        sentences.push(`${joinList(described)} ${others.length === 1 ? 'lives' : 'live'} in the same household as ${mention(subjectId)}.`);
      } else {
        sentences.push(`${list(group)} live in the same household.`);
      }
    }
  }

  const deceased = ordered.filter((id) => g.byId.get(id)?.deceased);
  if (deceased.length) sentences.push(`${list(deceased)} ${deceased.length === 1 ? 'has' : 'have'} died.`);
  const shielded = ordered.filter((id) => g.byId.get(id)?.shielded);
  if (shielded.length === 1) sentences.push(`${whose(shielded[0]!, 'details')} are restricted.`);
  else if (shielded.length) sentences.push(`The details of ${list(shielded)} are restricted.`);

  const alone = ordered.filter((id) => id !== subjectId && !mentioned.has(id));
  if (alone.length) {
    sentences.push(`${list(alone)} ${alone.length === 1 ? 'is' : 'are'} also shown, with no recorded relationships.`);
  }
  return sentences;
}

function rolesToSubject(g: Graph, id: string, subjectId: string): string[] {
  const roles: string[] = [];
  const asParent = g.parents.get(subjectId)?.get(id) ?? [];
  const asChild = g.parents.get(id)?.get(subjectId) ?? [];
  const parentRole: Record<TreeRelationType, string> = {
    parent: 'parent', step_parent: 'step-parent', parental_responsibility: 'has parental responsibility', carer: 'carer',
    unborn_child_of: 'expectant parent', sibling: 'sibling', half_sibling: 'half-sibling', partner: 'partner', household_member: '',
  };
  const childRole: Partial<Record<TreeRelationType, string>> = {
    parent: 'child', step_parent: 'step-child', parental_responsibility: 'child in their care', carer: 'child in their care', unborn_child_of: 'unborn baby',
  };
  for (const t of asParent) roles.push(parentRole[t]);
  for (const t of asChild) {
    const role = childRole[t];
    if (role && !roles.includes(role)) roles.push(role);
  }
  if (g.partners.get(id)?.has(subjectId)) roles.push('partner');
  if (g.siblings.get(id)?.has(subjectId)) roles.push('sibling');
  if (g.halfSiblings.get(id)?.has(subjectId)) roles.push('half-sibling');
  const birthParents = (of: string): string[] =>
    [...(g.parents.get(of) ?? [])].filter(([, types]) => types.some((t) => BIRTH_LINK.has(t))).map(([q]) => q).sort();
  if (!roles.some((r) => r.includes('sibling'))) {
    const mine = birthParents(id);
    const theirs = birthParents(subjectId);
    const shared = mine.filter((q) => theirs.includes(q));
    if (shared.length) roles.push(shared.length === mine.length && shared.length === theirs.length ? 'sibling' : 'half-sibling');
  }
  if (!roles.length) {
    const subjectParents = [...(g.parents.get(subjectId)?.keys() ?? [])];
    if (subjectParents.some((q) => g.parents.get(q)?.has(id))) roles.push('grandparent');
    else if ([...(g.children.get(subjectId) ?? [])].some((c) => g.children.get(c)?.has(id))) roles.push('grandchild');
  }
  return roles.filter(Boolean);
}
