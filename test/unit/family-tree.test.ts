import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  layoutFamilyTree,
  renderFamilyTree,
  type FamilyTreeInput,
  type TreePerson,
  type TreeRelation,
  type TreeRelationType,
} from '../../src/web/family-tree.ts';

// ---------------------------------------------------------------------------------------------
// A tiny, strict XML parser (no regular expressions): a tag stack that checks well-formedness
// (balanced, properly nested tags; quoted, unique attributes; no raw '<' in text or attribute
// values; only known entities after '&') and returns the element tree for querying.

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string; // direct text content, entities decoded
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isNameChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '-' || c === '_' || c === ':' || c === '.';
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\n' || c === '\t' || c === '\r';
}

function decode(raw: string, where: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '<') throw new Error(`raw '<' in ${where}`);
    if (c !== '&') {
      out += c;
      continue;
    }
    const end = raw.indexOf(';', i);
    if (end < 0) throw new Error(`unterminated entity in ${where}`);
    const name = raw.slice(i + 1, end);
    if (name.startsWith('#x')) {
      const hex = name.slice(2);
      if (!hex.length || [...hex].some((d) => !'0123456789abcdefABCDEF'.includes(d))) throw new Error(`bad entity &${name};`);
      out += String.fromCodePoint(parseInt(hex, 16));
    } else if (name.startsWith('#')) {
      const dec = name.slice(1);
      if (!dec.length || [...dec].some((d) => d < '0' || d > '9')) throw new Error(`bad entity &${name};`);
      out += String.fromCodePoint(Number(dec));
    } else if (name in ENTITY) {
      out += ENTITY[name];
    } else {
      throw new Error(`unknown entity &${name}; in ${where}`);
    }
    i = end;
  }
  return out;
}

function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let i = 0;
  while (i < xml.length) {
    const top = stack[stack.length - 1]!;
    if (xml[i] !== '<') {
      const next = xml.indexOf('<', i);
      const end = next < 0 ? xml.length : next;
      const raw = xml.slice(i, end);
      if (stack.length === 1 && raw.trim()) throw new Error('text outside the root element');
      top.text += decode(raw, `text of <${top.name}>`);
      i = end;
      continue;
    }
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
      continue;
    }
    if (xml[i + 1] === '/') {
      let j = i + 2;
      while (j < xml.length && isNameChar(xml[j]!)) j++;
      const name = xml.slice(i + 2, j);
      while (isSpace(xml[j])) j++;
      if (xml[j] !== '>') throw new Error(`malformed closing tag </${name}`);
      if (stack.length < 2 || top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
      i = j + 1;
      continue;
    }
    let j = i + 1;
    while (j < xml.length && isNameChar(xml[j]!)) j++;
    const name = xml.slice(i + 1, j);
    if (!name) throw new Error(`'<' not starting a tag at ${i}`);
    const element: XmlElement = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      const hadSpace = isSpace(xml[j]);
      while (isSpace(xml[j])) j++;
      if (j >= xml.length) throw new Error(`unterminated <${name}>`);
      if (xml[j] === '>' || (xml[j] === '/' && xml[j + 1] === '>')) break;
      if (!hadSpace) throw new Error(`attributes of <${name}> not separated by space`);
      const start = j;
      while (j < xml.length && isNameChar(xml[j]!)) j++;
      const attr = xml.slice(start, j);
      if (!attr || xml[j] !== '=') throw new Error(`malformed attribute in <${name}>`);
      const quote = xml[j + 1];
      if (quote !== '"' && quote !== "'") throw new Error(`unquoted attribute ${attr} in <${name}>`);
      const end = xml.indexOf(quote, j + 2);
      if (end < 0) throw new Error(`unterminated attribute ${attr}`);
      if (attr in element.attrs) throw new Error(`duplicate attribute ${attr} in <${name}>`);
      element.attrs[attr] = decode(xml.slice(j + 2, end), `attribute ${attr}`);
      j = end + 1;
    }
    if (stack.length === 1 && root.children.length) throw new Error('more than one root element');
    top.children.push(element);
    if (xml[j] === '/') {
      i = j + 2;
    } else {
      stack.push(element);
      i = j + 1;
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root.children.length !== 1) throw new Error('no root element');
  return root.children[0]!;
}

function all(el: XmlElement, pred: (e: XmlElement) => boolean, out: XmlElement[] = []): XmlElement[] {
  if (pred(el)) out.push(el);
  for (const c of el.children) all(c, pred, out);
  return out;
}

function textOf(el: XmlElement): string {
  return el.text + el.children.map(textOf).join('');
}

/** The element drawing one person: the <a> (aria-label) or <g> (<title>) whose label starts with the name. */
function personElement(svg: XmlElement, name: string): XmlElement {
  const labelled = (label: string): boolean => label === name || label.startsWith(`${name} `) || label.startsWith(`${name},`);
  const found = all(svg, (e) =>
    (e.name === 'a' && labelled(e.attrs['aria-label'] ?? ''))
    || (e.name === 'g' && e.children[0]?.name === 'title' && labelled(textOf(e.children[0]))));
  if (found.length !== 1) throw new Error(`expected one drawing of ${name}, found ${found.length}`);
  return found[0]!;
}

// ---------------------------------------------------------------------------------------------
// Fixtures

const person = (id: string, name: string, sex: TreePerson['sex'], extra: Partial<TreePerson> = {}): TreePerson => ({ id, name, sex, ...extra });
const rel = (from: string, to: string, type: TreeRelationType): TreeRelation => ({ from, to, type });

/** Grandparents → parents (+ step-parent) → Amy and Ben, with an expected baby. */
function carterFamily(): FamilyTreeInput {
  return {
    subjectId: 'amy',
    title: 'Family tree for Amy Carter',
    people: [
      person('amy', 'Amy Carter', 'female', { born: '2019', isSubject: true, href: '/people/amy' }),
      person('ben', 'Ben Carter', 'male', { born: '2016' }),
      person('lee', 'Lee Carter', 'male', { born: '1990' }),
      person('sara', 'Sara Carter', 'female', { born: '1992', href: '/people/sara' }),
      person('josh', 'Josh Reed', 'male', { born: '1988' }),
      person('baby', 'Baby Reed', 'unknown', { unborn: true, born: 'expected May 2027' }),
      person('pat', 'Pat Jones', 'male', { born: '1960', deceased: true }),
      person('jean', 'Jean Jones', 'female', { born: '1962' }),
      person('nan', 'Margaret Carter', 'female', { born: '1965' }),
      person('kim', 'Kim Lodger', 'other', { born: '1999' }),
    ],
    relations: [
      rel('lee', 'amy', 'parent'), rel('sara', 'amy', 'parent'),
      rel('lee', 'ben', 'parent'), rel('sara', 'ben', 'parent'),
      rel('lee', 'sara', 'partner'), rel('sara', 'josh', 'partner'),
      rel('josh', 'amy', 'step_parent'),
      rel('sara', 'baby', 'unborn_child_of'),
      rel('pat', 'sara', 'parent'), rel('jean', 'sara', 'parent'), rel('pat', 'jean', 'partner'),
      rel('nan', 'lee', 'parent'),
      rel('nan', 'amy', 'parental_responsibility'),
      rel('josh', 'amy', 'household_member'), rel('sara', 'amy', 'household_member'),
    ],
  };
}

function placementOf(input: FamilyTreeInput): Map<string, { generation: number; order: number; x: number }> {
  return new Map(layoutFamilyTree(input).map((p) => [p.id, p]));
}

// ---------------------------------------------------------------------------------------------

describe('family tree layout', () => {
  it('puts a three-generation family in three generations', () => {
    const at = placementOf(carterFamily());
    const gen = (id: string): number => at.get(id)!.generation;
    expect(['pat', 'jean', 'nan'].map(gen)).toEqual([0, 0, 0]);
    expect(['lee', 'sara', 'josh'].map(gen)).toEqual([1, 1, 1]);
    expect(['amy', 'ben', 'baby'].map(gen)).toEqual([2, 2, 2]);
    // people with no relations go at the end of the subject's generation
    expect(gen('kim')).toBe(2);
    expect(at.get('kim')!.order).toBe(Math.max(...[...at.values()].filter((p) => p.generation === 2).map((p) => p.order)));
  });

  it('keeps partners side by side and children under their parents', () => {
    const at = placementOf(carterFamily());
    const adjacent = (a: string, b: string): boolean => Math.abs(at.get(a)!.order - at.get(b)!.order) === 1;
    expect(adjacent('lee', 'sara')).toBe(true);
    expect(adjacent('sara', 'josh')).toBe(true);
    expect(adjacent('pat', 'jean')).toBe(true);
    // Amy and Ben hang from the middle of Lee and Sara, between the two (roughly)
    const mid = (at.get('lee')!.x + at.get('sara')!.x) / 2;
    const kids = (at.get('amy')!.x + at.get('ben')!.x) / 2;
    expect(Math.abs(kids - mid)).toBeLessThan(160);
  });

  it('groups siblings without recorded parents in one generation, next to each other', () => {
    const input: FamilyTreeInput = {
      subjectId: 'a', title: 't',
      people: [person('a', 'A', 'female'), person('x', 'X', 'male'), person('b', 'B', 'male'), person('y', 'Y', 'female'), person('c', 'C', 'other')],
      relations: [rel('a', 'b', 'sibling'), rel('c', 'b', 'half_sibling'), rel('x', 'y', 'partner'), rel('x', 'a', 'carer')],
    };
    const at = placementOf(input);
    expect(new Set(['a', 'b', 'c'].map((id) => at.get(id)!.generation)).size).toBe(1);
    expect(at.get('x')!.generation).toBe(at.get('a')!.generation - 1);
    const orders = ['a', 'b', 'c'].map((id) => at.get(id)!.order).sort();
    expect(orders[2]! - orders[0]!).toBe(2); // contiguous
  });

  it('places someone recorded as both parent and sibling without crashing', () => {
    const input: FamilyTreeInput = {
      subjectId: 'a', title: 't',
      people: [person('a', 'A', 'female'), person('b', 'B', 'male'), person('c', 'C', 'female')],
      relations: [rel('b', 'a', 'parent'), rel('b', 'a', 'sibling'), rel('c', 'b', 'parent')],
    };
    const at = placementOf(input);
    expect(at.get('a')!.generation).toBe(at.get('b')!.generation); // sibling wins, the parent link is drawn regardless
    expect(at.get('c')!.generation).toBe(at.get('b')!.generation - 1);
    const { svg, textAlternative } = renderFamilyTree(input);
    expect(() => parseXml(svg)).not.toThrow();
    expect(textAlternative).toContain("A's parent is B.");
    expect(textAlternative).toContain('A and B are siblings.');
  });

  it('terminates on cyclic and contradictory input', () => {
    const input: FamilyTreeInput = {
      subjectId: 'a', title: 'Cycle',
      people: [person('a', 'A', 'female'), person('b', 'B', 'male'), person('c', 'C', 'female'), person('d', 'D', 'unknown'), person('a', 'Duplicate A', 'male')],
      relations: [
        rel('a', 'b', 'parent'), rel('b', 'c', 'parent'), rel('c', 'a', 'parent'), // a cycle
        rel('a', 'a', 'parent'), // a self-loop
        rel('d', 'a', 'parent'), rel('a', 'd', 'parent'), // mutual parents
        rel('a', 'c', 'partner'), rel('a', 'ghost', 'parent'), // partner inside the cycle; unknown person
      ],
    };
    const started = performance.now();
    const { svg, textAlternative } = renderFamilyTree(input);
    expect(performance.now() - started).toBeLessThan(1000);
    const root = parseXml(svg);
    for (const name of ['A', 'B', 'C', 'D']) expect(() => personElement(root, name)).not.toThrow();
    expect(svg).not.toContain('Duplicate A');
    expect(svg).not.toContain('NaN');
    expect(textAlternative.join(' ')).not.toContain('ghost');
    expect(layoutFamilyTree(input)).toHaveLength(4);
  });

  it('renders a single person, and no people', () => {
    const one = renderFamilyTree({ subjectId: 'a', title: 'Just Amy', people: [person('a', 'Amy', 'female', { born: '2019' })], relations: [] });
    const root = parseXml(one.svg);
    expect(root.attrs.role).toBe('img');
    expect(personElement(root, 'Amy')).toBeDefined();
    expect(one.textAlternative).toEqual(['Amy (born 2019) is the subject.']);

    const none = renderFamilyTree({ subjectId: 'a', title: 'Nobody', people: [], relations: [] });
    expect(() => parseXml(none.svg)).not.toThrow();
    expect(none.textAlternative).toEqual([]);
  });

  it('renders 30 people in well under 50 ms', () => {
    const people: TreePerson[] = [];
    const relations: TreeRelation[] = [];
    for (let i = 0; i < 30; i++) people.push(person(`p${i}`, `Person ${i} Smith`, i % 2 ? 'male' : 'female', { born: String(1940 + i * 2) }));
    // five couples in each of three generations, two children per couple
    for (let i = 0; i < 30; i += 2) relations.push(rel(`p${i}`, `p${i + 1}`, 'partner'));
    for (let i = 0; i < 20; i += 2) {
      const c = 10 + i;
      relations.push(rel(`p${i}`, `p${c}`, 'parent'), rel(`p${i + 1}`, `p${c}`, 'parent'));
      relations.push(rel(`p${i}`, `p${c + 1}`, i % 4 ? 'parent' : 'step_parent'), rel(`p${i + 1}`, `p${c + 1}`, 'parent'));
    }
    relations.push(rel('p3', 'p25', 'carer'), rel('p12', 'p13', 'household_member'), rel('p14', 'p27', 'household_member'));
    const input: FamilyTreeInput = { subjectId: 'p20', title: 'Thirty', people, relations };
    renderFamilyTree(input); // warm up
    const times: number[] = [];
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      renderFamilyTree(input);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    expect(times[2]).toBeLessThan(50);
    expect(() => parseXml(renderFamilyTree(input).svg)).not.toThrow();
  });
});

describe('family tree SVG', () => {
  const { svg } = renderFamilyTree(carterFamily());
  const root = parseXml(svg);

  it('is well-formed, scalable and labelled by a <title> and <desc> with ids from the subject', () => {
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(root.attrs.width).toBe('100%');
    expect(root.attrs.viewBox).toMatch(/^0 0 \d+(\.\d+)? \d+(\.\d+)?$/);
    const [titleId, descId] = (root.attrs['aria-labelledby'] ?? '').split(' ');
    const title = all(root, (e) => e.name === 'title' && e.attrs.id === titleId);
    const desc = all(root, (e) => e.name === 'desc' && e.attrs.id === descId);
    expect(title.map(textOf)).toEqual(['Family tree for Amy Carter']);
    expect(desc).toHaveLength(1);
    expect(titleId).toContain('amy');
    const other = parseXml(renderFamilyTree({ ...carterFamily(), subjectId: 'ben' }).svg);
    expect(other.attrs['aria-labelledby']).not.toBe(root.attrs['aria-labelledby']);
    // every id is unique
    const ids = all(root, (e) => e.attrs.id !== undefined).map((e) => e.attrs.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses no inline style or script (strict CSP) and only presentation attributes', () => {
    expect(all(root, (e) => 'style' in e.attrs || e.name === 'style' || e.name === 'script' || e.name === 'foreignObject')).toEqual([]);
    expect(all(root, (e) => Object.keys(e.attrs).some((a) => a.startsWith('on')))).toEqual([]);
  });

  it('makes linked people focusable links, exposed in a labelled group', () => {
    const links = all(root, (e) => e.name === 'a');
    expect(links.map((a) => a.attrs.href).sort()).toEqual(['/people/amy', '/people/sara']);
    expect(personElement(root, 'Amy Carter').attrs['aria-label']).toBe('Amy Carter born 2019, the subject');
    // role="img" would make the links presentational (axe: nested-interactive)
    expect(root.attrs.role).toBe('group');
    // everything that is not a link is hidden from assistive technology
    for (const child of root.children) {
      if (['title', 'desc', 'a'].includes(child.name)) continue;
      expect(child.attrs['aria-hidden']).toBe('true');
    }
  });

  it('draws genogram symbols: square, circle, diamond, triangle for unborn, a cross for deceased', () => {
    const shape = (name: string): string[] => personElement(root, name).children.map((c) => c.name).filter((n) => n !== 'title');
    expect(shape('Lee Carter')[0]).toBe('rect');
    expect(shape('Jean Jones')[0]).toBe('circle');
    const kim = personElement(root, 'Kim Lodger').children.find((c) => c.name === 'polygon');
    expect(kim?.attrs.points?.split(' ')).toHaveLength(4); // diamond
    const baby = personElement(root, 'Baby Reed').children.find((c) => c.name === 'polygon');
    expect(baby?.attrs.points?.split(' ')).toHaveLength(3); // triangle
    const pat = personElement(root, 'Pat Jones');
    expect(textOf(pat.children[0]!)).toContain('died');
    const cross = pat.children.find((c) => c.name === 'path');
    expect(cross?.attrs.d?.split('M')).toHaveLength(3); // two strokes
    expect(all(personElement(root, 'Jean Jones'), (e) => e.name === 'path')).toEqual([]);
  });

  it('highlights the subject with a thick GOV.UK blue outline and high-contrast ink elsewhere', () => {
    const amy = personElement(root, 'Amy Carter').children.find((c) => c.name === 'circle');
    expect(amy?.attrs).toMatchObject({ stroke: '#1d70b8', 'stroke-width': '4' });
    const lee = personElement(root, 'Lee Carter').children.find((c) => c.name === 'rect');
    expect(lee?.attrs).toMatchObject({ stroke: '#0b0c0c', 'stroke-width': '2' });
    const colours = new Set(all(root, (e) => e.attrs.fill !== undefined).map((e) => e.attrs.fill));
    expect([...colours].sort()).toEqual(['#0b0c0c', '#1d70b8', '#484949', '#ffffff', 'none'].filter((c) => colours.has(c)));
  });

  it('has a key listing the symbols and lines used, and only those', () => {
    const text = textOf(root);
    for (const entry of ['Key', 'Male', 'Female', 'Other or unknown sex', 'Unborn baby', 'Died', 'Subject (thick blue outline)', 'Partners',
      'Birth parent', 'Step-parent, carer or parental responsibility', 'Lives in the same household (dotted outline)']) {
      expect(text).toContain(entry);
    }
    expect(text).not.toContain('Siblings (parents not recorded)');
    const siblings = textOf(parseXml(renderFamilyTree({
      subjectId: 'a', title: 't', people: [person('a', 'A', 'female'), person('b', 'B', 'male')], relations: [rel('a', 'b', 'sibling')],
    }).svg));
    expect(siblings).toContain('Siblings (parents not recorded)');
    expect(siblings).not.toContain('Half-siblings');
    expect(siblings).not.toContain('Died');
  });

  it('shows names with the birth line, and the expected date for an unborn baby', () => {
    expect(textOf(personElement(root, 'Amy Carter'))).toContain('born 2019');
    expect(textOf(personElement(root, 'Baby Reed'))).toContain('expected May 2027');
  });

  it('draws birth links solid, other parental links dashed, and the household dotted', () => {
    const lines = all(root, (e) => e.name === 'path' && e.attrs.fill === 'none');
    const dashes = new Set(lines.map((l) => l.attrs['stroke-dasharray'] ?? 'solid'));
    expect(dashes).toEqual(new Set(['solid', '8 5']));
    // the subject's household (Amy, Sara, Josh) is outlined with dotted boxes
    const outlines = all(root, (e) => e.name === 'rect' && e.attrs['stroke-dasharray'] === '1 5' && e.attrs.rx === '8');
    expect(outlines).toHaveLength(3);
    // another household is joined by dotted links
    const other = parseXml(renderFamilyTree({
      ...carterFamily(),
      relations: [...carterFamily().relations.filter((r) => r.type !== 'household_member'), rel('lee', 'nan', 'household_member')],
    }).svg);
    const otherLines = other.children.find((c) => c.name === 'g')!; // connectors come first, the key last
    expect(all(otherLines, (e) => e.name === 'path' && e.attrs['stroke-dasharray'] === '1 5')).toHaveLength(1);
    expect(textOf(other)).toContain('Same household');
    expect(all(other, (e) => e.name === 'rect' && e.attrs['stroke-dasharray'] === '1 5' && e.attrs.rx === '8')).toHaveLength(0);
  });

  it('escapes names in the SVG and the text alternative', () => {
    const input: FamilyTreeInput = {
      subjectId: 'x"><script>',
      title: 'Tree for <b>Tom</b> & "Jerry"',
      people: [
        person('x"><script>', '<script>alert("x")</script> & Sons', 'male', { born: '<i>2019</i>', href: 'javascript:alert(1)' }),
        person('y', "O'Brien & <img src=x onerror=alert(1)>", 'female', { href: '/people/y?a=1&b="2"' }),
      ],
      relations: [rel('y', 'x"><script>', 'parent')],
    };
    const { svg, textAlternative } = renderFamilyTree(input);
    const root = parseXml(svg); // throws on any raw '<' or stray '&'
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<img');
    expect(svg).not.toContain('<i>');
    expect(svg).not.toContain('javascript:');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('&amp; Sons');
    expect(all(root, (e) => e.name === 'title').map(textOf)).toContain('Tree for <b>Tom</b> & "Jerry"');
    expect(all(root, (e) => e.name === 'a').map((a) => a.attrs.href)).toEqual(['/people/y?a=1&b="2"']);
    const text = textAlternative.join('\n');
    expect(text).not.toContain('<script');
    expect(text).not.toContain('<img');
    expect(text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons');
    expect(text).toContain('O&#39;Brien &amp; &lt;img');
    for (const sentence of textAlternative) expect(() => parseXml(`<p>${sentence}</p>`)).not.toThrow();
  });

  it('strips characters XML cannot carry', () => {
    const { svg } = renderFamilyTree({ subjectId: 'a', title: 'T\u0000', people: [person('a', 'Amy\u0007 \uD800Carter\uFFFE', 'female')], relations: [] });
    expect(() => parseXml(svg)).not.toThrow();
    expect([...svg].some((c) => c.charCodeAt(0) < 9 || c === '\uFFFE')).toBe(false);
  });
});

describe('family tree text alternative', () => {
  const { textAlternative } = renderFamilyTree(carterFamily());

  it('describes every relationship type in plain sentences', () => {
    expect(textAlternative).toEqual([
      'Amy Carter (born 2019) is the subject.',
      "Amy Carter's parents are Lee Carter (born 1990) and Sara Carter (born 1992).",
      "Amy Carter's step-parent is Josh Reed (born 1988).",
      'Margaret Carter (born 1965) has parental responsibility for Amy Carter.',
      'The parents of Ben Carter (born 2016) are Lee Carter and Sara Carter.',
      "Lee Carter's parent is Margaret Carter.",
      "Sara Carter's parents are Pat Jones (born 1960) and Jean Jones (born 1962).",
      'Sara Carter is expecting a baby, Baby Reed (expected May 2027).',
      'Lee Carter and Sara Carter are partners.',
      'Sara Carter and Josh Reed are partners.',
      'Pat Jones and Jean Jones are partners.',
      'Sara Carter (parent) and Josh Reed (step-parent) live in the same household as Amy Carter.',
      'Pat Jones has died.',
      'Kim Lodger (born 1999) is also shown, with no recorded relationships.',
    ]);
  });

  it('covers carers, siblings, half-siblings, other households and restricted records', () => {
    const { textAlternative: text } = renderFamilyTree({
      subjectId: 'a', title: 't',
      people: [
        person('a', 'Ann', 'female'), person('b', 'Bo', 'male'), person('c', 'Cy', 'male'), person('d', 'Di', 'female'),
        person('e', 'Ed', 'male'), person('f', 'Flo', 'female', { shielded: true }), person('g', 'Gil', 'male'),
      ],
      relations: [
        rel('a', 'b', 'sibling'), rel('b', 'c', 'sibling'), rel('a', 'd', 'half_sibling'), rel('d', 'b', 'half_sibling'),
        rel('e', 'a', 'carer'), rel('f', 'a', 'carer'), rel('e', 'g', 'household_member'), rel('g', 'f', 'household_member'),
      ],
    });
    expect(text).toEqual([
      'Ann is the subject.',
      "Ann's carers are Ed and Flo.",
      'Ann, Bo and Cy are siblings.',
      'Ann and Di are half-siblings.',
      'Bo and Di are half-siblings.',
      'Ed, Flo and Gil live in the same household.',
      "Flo's details are restricted.",
    ]);
  });

  it('names both parents of an expected baby, and an unborn subject', () => {
    const { textAlternative: text } = renderFamilyTree({
      subjectId: 'u', title: 't',
      people: [person('u', 'Unborn Smith', 'unknown', { unborn: true, born: 'June 2027' }), person('m', 'Mo Smith', 'female'), person('d', 'Dev Smith', 'male')],
      relations: [rel('m', 'u', 'unborn_child_of'), rel('d', 'u', 'unborn_child_of'), rel('m', 'd', 'partner')],
    });
    expect(text[0]).toBe('Unborn Smith (expected June 2027) is the subject, an unborn baby.');
    expect(text).toContain('Mo Smith and Dev Smith are expecting a baby, Unborn Smith.');
  });

  it('tells apart people who share a name', () => {
    const { textAlternative: text } = renderFamilyTree({
      subjectId: 'a', title: 't',
      people: [person('a', 'Sam Lee', 'male', { born: '2015' }), person('b', 'Sam Lee', 'male', { born: '1985' }), person('c', 'Sam Lee', 'male', { born: '1985' })],
      relations: [rel('b', 'a', 'parent'), rel('c', 'a', 'step_parent')],
    });
    expect(text).toEqual([
      'Sam Lee (born 2015) is the subject.',
      "Sam Lee (born 2015)'s parent is Sam Lee (born 1985).",
      "Sam Lee (born 2015)'s step-parent is Sam Lee (born 1985) [2].",
    ]);
  });

  it('mentions every person, whatever the relations (property)', () => {
    const types: TreeRelationType[] = ['parent', 'step_parent', 'parental_responsibility', 'carer', 'sibling', 'half_sibling', 'partner', 'household_member', 'unborn_child_of'];
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 30 }),
      fc.array(fc.tuple(fc.nat(29), fc.nat(29), fc.constantFrom(...types)), { maxLength: 60 }),
      fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
      (n, edges, flags) => {
        const people = Array.from({ length: n }, (_, i) => person(`p${i}`, `Person ${i}`, (['female', 'male', 'unknown', 'other'] as const)[i % 4]!, {
          deceased: flags[i], unborn: flags[(i + 7) % 30] && i % 5 === 0, href: flags[(i + 3) % 30] ? `/people/p${i}` : undefined,
        }));
        const relations = edges.map(([a, b, t]) => rel(`p${a % n}`, `p${b % n}`, t));
        const input: FamilyTreeInput = { subjectId: 'p0', title: 'Random', people, relations };
        const { svg, textAlternative } = renderFamilyTree(input);
        const root = parseXml(svg);
        const text = textAlternative.join(' ');
        for (let i = 0; i < n; i++) {
          expect(text).toContain(`Person ${i}`);
          expect(() => personElement(root, `Person ${i}`)).not.toThrow();
        }
        expect(svg).not.toContain('NaN');
        expect(svg).not.toContain('Infinity');
        const placed = layoutFamilyTree(input);
        expect(placed).toHaveLength(n);
        // no two people overlap in a row
        const byRow = new Map<number, number[]>();
        for (const p of placed) byRow.set(p.generation, [...(byRow.get(p.generation) ?? []), p.x]);
        for (const xs of byRow.values()) {
          xs.sort((a, b) => a - b);
          for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeGreaterThan(100);
        }
      },
    ), { numRuns: 150 });
  });
});
