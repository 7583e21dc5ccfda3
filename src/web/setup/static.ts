import path from 'node:path';
import { createRequire } from 'node:module';
import express, { type Express } from 'express';
import { projectRoot } from '../../paths.ts';

const require = createRequire(import.meta.url);

export const govukDist = path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist');

/** GOV.UK Frontend's compiled CSS, JS, fonts and images, and our own small CSS and JS. */
export function setupStatic(app: Express): void {
  const cache = { maxAge: '1d', index: false as const, fallthrough: true };
  const govuk = path.join(govukDist, 'govuk');
  app.get('/assets/govuk-frontend.min.css', (_req, res) => res.sendFile(path.join(govuk, 'govuk-frontend.min.css')));
  app.get('/assets/govuk-frontend.min.js', (_req, res) => res.sendFile(path.join(govuk, 'govuk-frontend.min.js')));
  app.use('/assets', express.static(path.join(govuk, 'assets'), cache));
  app.use('/public', express.static(path.join(projectRoot, 'public'), cache));
}
