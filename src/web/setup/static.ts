import path from 'node:path';
import { createRequire } from 'node:module';
import express, { type Express } from 'express';
import { projectRoot } from '../../paths.ts';

const require = createRequire(import.meta.url);

export const govukDist = path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist');

/** GOV.UK Frontend's compiled CSS and JS, and our own small CSS, JS and icon. */
export function setupStatic(app: Express): void {
  const cache = { maxAge: '1d', index: false as const, fallthrough: true };
  const govuk = path.join(govukDist, 'govuk');
  app.get('/assets/govuk-frontend.min.css', (_req, res) => res.sendFile(path.join(govuk, 'govuk-frontend.min.css')));
  app.get('/assets/govuk-frontend.min.js', (_req, res) => res.sendFile(path.join(govuk, 'govuk-frontend.min.js')));
  // Only the CSS and JS are served: GOV.UK's fonts, crest and icons are for GOV.UK services only.
  app.use('/public', express.static(path.join(projectRoot, 'public'), cache));
}
