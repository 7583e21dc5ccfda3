import { z } from 'zod';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: unknown): s is string => typeof s === 'string' && UUID.test(s);

/** The query a summary page was asked with: kept on every link so each page shows the same purpose, reason and window. */
export const pageQuerySchema = z.object({
  purpose: z.string().optional(),
  reason: z.string().optional(),
  window: z.string().optional(),
  go: z.string().optional(),
});

export function keptQuery(q: Record<string, unknown>): { purpose?: string; reason?: string; window?: string } {
  const out: { purpose?: string; reason?: string; window?: string } = {};
  for (const k of ['purpose', 'reason', 'window'] as const) if (typeof q[k] === 'string' && q[k]) out[k] = q[k];
  return out;
}

/** The mark / analysis form: which person of the family, and the page to go back to. */
export const markFormSchema = z.object({
  subjectId: z.string().refine(isUuid, 'Choose who in the family this is about'),
});
