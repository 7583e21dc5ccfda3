import { z } from 'zod';

/** Shared field rules, used by forms, the API and the CLI alike so a value means the same everywhere. */
export const trimmed = (label: string, max = 200) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${label[0]!.toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`);

export const optionalTrimmed = (label: string, max = 200) =>
  z
    .string()
    .trim()
    .max(max, `${label[0]!.toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`)
    .optional()
    .transform((v) => (v ? v : null));

export const email = z
  .string({ error: 'Enter an email address' })
  .trim()
  .min(1, 'Enter an email address')
  .max(254, 'Email address must be 254 characters or fewer')
  .pipe(z.email({ error: 'Enter an email address in the correct format, like name@example.org' }))
  .transform((v) => v.toLowerCase());

export const ukPhone = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : null))
  .refine((v) => v === null || /^(\+44\s?|0)[0-9\s()-]{9,14}$/.test(v), {
    message: 'Enter a UK telephone number, like 01632 960 001 or +44 1632 960 001',
  });

/** Checkbox groups arrive as nothing, one string or several. */
export const stringList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/** The official identifier each kind of organisation carries, with its shape. */
export const OFFICIAL_CODE_RULES: Record<string, { pattern: RegExp; example: string }> = {
  police: { pattern: /^\d{2}$/, example: 'a two-digit force code, like 01' },
  childrens_social_care: { pattern: /^[ENSW]\d{8}$/, example: 'an ONS local authority code, like E06000001' },
  adult_social_care: { pattern: /^[ENSW]\d{8}$/, example: 'an ONS local authority code, like E06000001' },
  local_authority: { pattern: /^[ENSW]\d{8}$/, example: 'an ONS local authority code, like E06000001' },
  nhs_trust: { pattern: /^[A-Z0-9]{3,5}$/, example: 'an ODS code, like RX1' },
  gp_practice: { pattern: /^[A-Z]\d{5}$/, example: 'an ODS practice code, like A81001' },
  icb: { pattern: /^[A-Z0-9]{3,5}$/, example: 'an ODS code, like QHM' },
  school: { pattern: /^\d{6}$/, example: 'a six-digit DfE URN, like 100000' },
  early_years: { pattern: /^(EY)?\d{6}$/, example: 'an Ofsted URN, like EY123456' },
  housing: { pattern: /^[A-Z0-9]{1,8}$/, example: 'a registration number, like LH0001 or 4001' },
  probation: { pattern: /^[A-Z0-9]{2,8}$/, example: 'a delivery unit code, like N54' },
  youth_justice: { pattern: /^[A-Z0-9]{2,8}$/, example: 'a service code, like YJ123' },
  voluntary_sector: { pattern: /^\d{6,8}$|^SC\d{6}$/, example: 'a charity number, like 1123456' },
  other: { pattern: /^[A-Za-z0-9-]{1,20}$/, example: 'up to 20 letters, digits or hyphens' },
};
