import { z } from 'zod';

const blank = (v: unknown) => (v === '' ? undefined : v);
const date = (label: string) =>
  z.preprocess(
    blank,
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, `${label} must be a date like 2026-11-21`)
      .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), `${label} must be a real date`)
      .transform((v) => new Date(`${v}T00:00:00Z`))
      .optional(),
  );

export const auditSearchSchema = z
  .object({
    actor: z.preprocess(blank, z.string().trim().max(200).optional()),
    action: z.preprocess(blank, z.string().trim().max(100).optional()),
    subjectId: z.preprocess(blank, z.string().trim().max(100).optional()),
    outcome: z.preprocess(blank, z.enum(['success', 'failure', 'denied'], { error: 'Choose an outcome from the list' }).optional()),
    from: date('The from date'),
    to: date('The to date'),
    before: z.preprocess(blank, z.coerce.number().int().positive().optional()),
  })
  .transform(({ before, to, ...rest }) => ({
    ...rest,
    // "to" is inclusive of the whole day
    to: to ? new Date(to.getTime() + 86_400_000) : undefined,
    beforeSeq: before,
  }))
  .refine((v) => !v.from || !v.to || v.from < v.to, { message: 'The to date must be the same as or after the from date', path: ['to'] });
