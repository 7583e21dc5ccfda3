/**
 * The repeatable parts of a provider's proposed change to a service (contacts, opening times,
 * costs, languages, areas served, and accessibility at its place): their zod schemas, their
 * names on the form, and the plain lines the approval page compares. Pure.
 */
import { z } from 'zod';
import { normalisePostcode } from '../people/identifiers.ts';

const MAX_ROWS_EACH = 20;

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = (label: string, max: number) => z.preprocess(blank, z.string().trim().max(max, `${label} must be ${max} characters or fewer`).optional());
const requiredText = (missing: string, label: string, max: number) =>
  z.preprocess(blank, z.string({ error: missing }).trim().min(1, missing).max(max, `${label} must be ${max} characters or fewer`));
/** A row's stored id when it changes an existing row; blank for a new one. */
const rowId = z.preprocess(blank, z.uuid('This row is not one of the service\'s: reload the page').optional());
const phone = (label: string) => z.preprocess(blank, z.string().trim().regex(/^[0-9 +()-]{6,20}$/, `enter ${label} telephone number, like 01632 960 123`).optional());
const time = (which: string) => z.string({ error: `enter the ${which} time, like 09:00` }).trim().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, `enter the ${which} time as hours and minutes on the 24-hour clock, like 09:00 or 17:30`);

export const DAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export const DAY_NAMES: Record<(typeof DAY_CODES)[number], string> = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' };

export const contactRowSchema = z
  .object({
    id: rowId,
    name: optionalText('the name', 200),
    title: optionalText('the role', 200),
    email: z.preprocess(blank, z.email('enter the email address like name@example.org').optional()),
    phone: phone('the'),
  })
  .superRefine((v, ctx) => {
    if (!v.name && !v.title) ctx.addIssue({ code: 'custom', path: ['name'], message: 'enter a name or team, or a role' });
    if (!v.email && !v.phone) ctx.addIssue({ code: 'custom', path: ['email'], message: 'enter an email address or a telephone number' });
  });

export const scheduleRowSchema = z
  .object({
    id: rowId,
    byday: z.preprocess((v) => (typeof v === 'string' ? (v ? [v] : []) : v ?? []), z.array(z.enum(DAY_CODES, { error: 'choose days from the list' })).min(1, 'choose at least one day')),
    opensAt: time('opening'),
    closesAt: time('closing'),
    description: optionalText('the description', 200),
  })
  .superRefine((v, ctx) => {
    if (v.closesAt <= v.opensAt) ctx.addIssue({ code: 'custom', path: ['closesAt'], message: 'the closing time must be after the opening time' });
  });

export const costRowSchema = z.object({
  id: rowId,
  option: requiredText('say what the cost is for, like Per session', 'what the cost is for', 200),
  amount: z.preprocess(
    blank,
    z.coerce
      .number({ error: 'enter the amount in pounds, like 5 or 2.50 (0 if free)' })
      .min(0, 'the amount must be 0 or more')
      .max(100_000, 'the amount must be £100,000 or less')
      .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, 'enter the amount in pounds and pence, like 2.50'),
  ),
  amountDescription: optionalText('the note', 500),
});

export const languageRowSchema = z.object({
  id: rowId,
  name: requiredText('enter the language, like Polish', 'the language', 100),
  code: z.preprocess(blank, z.string().trim().toLowerCase().regex(/^[a-z]{2,3}$/, 'enter a 2 or 3 letter language code, like pl, or leave it blank').optional()),
});

export const areaRowSchema = z.object({
  id: rowId,
  name: requiredText('enter the area, like Northbridge', 'the area', 200),
  description: optionalText('the description', 500),
});

export const accessibilityRowSchema = z.object({
  id: rowId,
  description: requiredText('say what access there is, like Step-free entrance', 'the description', 500),
  details: optionalText('the details', 2000),
});

export const placeRowSchema = z
  .object({
    id: rowId,
    name: optionalText('the name of the place', 200),
    address1: requiredText('enter the first line of the address', 'the address', 200),
    city: requiredText('enter the town', 'the town', 100),
    postcode: requiredText('enter the postcode, like NB1 2AB', 'the postcode', 10),
    /** One accessibility note a line. */
    accessibility: z.preprocess(
      (v) => (typeof v === 'string' ? v.split(/\r?\n/).map((l) => l.trim()).filter(Boolean) : v ?? []),
      z.array(z.string().max(500, 'each accessibility note must be 500 characters or fewer')).max(MAX_ROWS_EACH, 'give 20 accessibility notes or fewer'),
    ),
  })
  .superRefine((v, ctx) => {
    if (!normalisePostcode(v.postcode)) ctx.addIssue({ code: 'custom', path: ['postcode'], message: 'enter a full UK postcode, like NB1 2AB' });
  })
  .transform((v) => ({ ...v, postcode: normalisePostcode(v.postcode) ?? v.postcode }));

/** The repeatable parts: their form names, the label of one row, the fields a row has. */
export const ROW_PARTS = {
  contacts: { label: 'Contact', schema: contactRowSchema, fields: ['name', 'title', 'email', 'phone'] },
  schedules: { label: 'Opening time', schema: scheduleRowSchema, fields: ['byday', 'opensAt', 'closesAt', 'description'] },
  costs: { label: 'Cost', schema: costRowSchema, fields: ['option', 'amount', 'amountDescription'] },
  languages: { label: 'Language', schema: languageRowSchema, fields: ['name', 'code'] },
  areas: { label: 'Area', schema: areaRowSchema, fields: ['name', 'description'] },
  accessibility: { label: 'Accessibility', schema: accessibilityRowSchema, fields: ['description', 'details'] },
  places: { label: 'Place', schema: placeRowSchema, fields: ['name', 'address1', 'city', 'postcode', 'accessibility'] },
} as const;
export type RowPart = keyof typeof ROW_PARTS;
export const ROW_PART_NAMES = Object.keys(ROW_PARTS) as RowPart[];
export const MAX_ROWS = 20;

/** The repeatable parts as optional arrays: a part left out of a proposal is not changed by it. */
export const rowPartsSchema = z.object({
  contacts: z.array(contactRowSchema).max(MAX_ROWS, `Give ${MAX_ROWS} contacts or fewer`).optional(),
  schedules: z.array(scheduleRowSchema).max(MAX_ROWS, `Give ${MAX_ROWS} opening times or fewer`).optional(),
  costs: z.array(costRowSchema).max(MAX_ROWS, `Give ${MAX_ROWS} costs or fewer`).optional(),
  languages: z.array(languageRowSchema).max(MAX_ROWS, `Give ${MAX_ROWS} languages or fewer`).optional(),
  areas: z.array(areaRowSchema).max(MAX_ROWS, `Give ${MAX_ROWS} areas or fewer`).optional(),
  accessibility: z.array(accessibilityRowSchema).max(MAX_ROWS, `Give ${MAX_ROWS} accessibility notes or fewer`).optional(),
  places: z.array(placeRowSchema).max(MAX_ROWS, `Give ${MAX_ROWS} other places or fewer`).optional(),
});
export type RowParts = z.output<typeof rowPartsSchema>;

/**
 * A zod issue's path and message as a field key and a message saying which row:
 * ['schedules', 1, 'closesAt'] → 'schedules.1.closesAt', "Opening time 2: the closing time must be after the opening time".
 */
export function rowIssue(path: ReadonlyArray<PropertyKey>, message: string): { key: string; message: string } {
  const [part, index] = path;
  const key = path.map(String).join('.');
  if (typeof part === 'string' && part in ROW_PARTS && typeof index === 'number') {
    return { key, message: `${ROW_PARTS[part as RowPart].label} ${index + 1}: ${message}` };
  }
  return { key, message: message.charAt(0).toUpperCase() + message.slice(1) };
}

/** Plain lines for the approval page's before and after (one per row). */
export function rowLines(part: RowPart, rows: ReadonlyArray<Record<string, unknown>> | undefined): string[] {
  const t = (v: unknown) => (v === undefined || v === null || v === '' ? '' : String(v));
  const join = (...xs: unknown[]) => xs.map(t).filter(Boolean).join(', ');
  return (rows ?? []).map((r) => {
    switch (part) {
      case 'contacts':
        return join(r.name, r.title, r.email, r.phone);
      case 'schedules': {
        const days = (Array.isArray(r.byday) ? r.byday : t(r.byday).split(',')).map((d) => DAY_NAMES[String(d).trim() as keyof typeof DAY_NAMES] ?? d).join(' ');
        return join(days, `${t(r.opensAt)} to ${t(r.closesAt)}`, r.description);
      }
      case 'costs':
        return join(r.option, r.amount === undefined || r.amount === null || r.amount === '' ? '' : `£${Number(r.amount).toFixed(2)}`, r.amountDescription);
      case 'languages':
        return join(r.name, r.code);
      case 'areas':
        return join(r.name, r.description);
      case 'accessibility':
        return join(r.description, r.details);
      case 'places': {
        const notes = (Array.isArray(r.accessibility) ? r.accessibility : t(r.accessibility).split(/\r?\n/)).map((x) => String(x).trim()).filter(Boolean);
        return join(r.name, r.address1, r.city, r.postcode) + (notes.length ? ` (accessibility: ${notes.join('; ')})` : '');
      }
    }
  });
}
