import path from 'node:path';
import type { Express } from 'express';
import nunjucks from 'nunjucks';
import { projectRoot } from '../../paths.ts';
import { urls } from '../urls.ts';
import { govukDist } from './static.ts';

const ROLE_LABELS: Record<string, string> = {
  practitioner: 'Practitioner',
  team_manager: 'Team manager',
  mash_officer: 'MASH officer',
  ig_lead: 'Information-governance lead',
  system_admin: 'System administrator',
};

/** Views live beside their journey (src/web/journeys/<journey>/*.njk) plus shared layouts. Autoescape is on. */
export function setupNunjucks(app: Express): nunjucks.Environment {
  const env = nunjucks.configure(
    [path.join(projectRoot, 'src/web/views'), path.join(projectRoot, 'src/web/journeys'), govukDist],
    { autoescape: true, express: app, noCache: process.env.TEMPLATE_RELOAD === 'true', throwOnUndefined: false },
  );
  app.set('view engine', 'njk');
  // Templates are read once; set TEMPLATE_RELOAD=true while editing them.
  app.set('view cache', process.env.TEMPLATE_RELOAD !== 'true');
  env.addGlobal('urls', urls);
  env.addFilter('roleLabel', (code: string) => ROLE_LABELS[code] ?? code);
  env.addFilter('dateTime', (d: Date | string | null | undefined) => {
    if (!d) return '';
    const date = typeof d === 'string' ? new Date(d) : d;
    return date.toLocaleString('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZone: 'Europe/London',
    });
  });
  env.addFilter('roleLabels', (codes: string[] | undefined) =>
    codes && codes.length ? codes.map((c) => ROLE_LABELS[c] ?? c).join(', ') : 'None',
  );
  env.addFilter('setKey', (obj: Record<string, unknown>, key: string, value: unknown) => {
    obj[key] = value;
    return obj;
  });
  env.addFilter('isoDateTime', (d: Date | null | undefined) => (d ? d.toISOString() : ''));
  return env;
}
