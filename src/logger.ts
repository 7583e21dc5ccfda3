import pino, { type Logger } from 'pino';

/**
 * Structured logs with personal data kept out: request bodies and query strings are never
 * logged, and credentials, cookies and anything that looks like a name, date of birth,
 * address or identifier are redacted wherever they appear in a logged object.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.confirmPassword',
  '*.code',
  '*.token',
  '*.secret',
  '*.totpSecret',
  '*.email',
  '*.name',
  '*.displayName',
  '*.firstName',
  '*.lastName',
  '*.surname',
  '*.dateOfBirth',
  '*.dob',
  '*.address',
  '*.postcode',
  '*.nhsNumber',
  '*.phone',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'teamaround' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
