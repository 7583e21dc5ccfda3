import type { z } from 'zod';
import { ValidationError } from '../services/principal.ts';

export interface FormErrors {
  errors: Record<string, { text: string }>;
  errorList: Array<{ text: string; href?: string }>;
}

/**
 * Turns a ValidationError into what GOV.UK components want: a message beside each field and
 * an error summary linking to it. `order` lists field names in page order.
 */
export function formErrors(err: ValidationError, order: string[] = []): FormErrors {
  const entries = Object.entries(err.fields).sort(
    ([a], [b]) => (order.indexOf(a) + 1 || 999) - (order.indexOf(b) + 1 || 999),
  );
  return {
    errors: Object.fromEntries(entries.map(([k, text]) => [k, { text }])),
    // Only fields on the page get a link; a problem with no field (e.g. the account's status) is text alone.
    errorList: entries.map(([k, text]) => (order.length === 0 || order.includes(k) ? { text, href: `#${k}` } : { text })),
  };
}

export function isValidationError(err: unknown): err is ValidationError {
  return err instanceof ValidationError;
}

/** Body values as strings (express.urlencoded with extended: false gives strings or string arrays). */
export function field(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

/** Zod issues as GOV.UK field errors: the first message per field, in page order. */
export function zodErrors(error: z.ZodError, order: string[] = []): FormErrors {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || 'form';
    fields[key] ??= issue.message;
  }
  return formErrors(new ValidationError(fields), order);
}

/** For the few messages rendered as HTML (flash banners): names typed by users are escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
