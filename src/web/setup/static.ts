import crypto from 'node:crypto';
import fs from 'node:fs';
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
  // GDS Transport is licensed for GOV.UK services only: its @font-face rules are taken out once at
  // start-up, so browsers use the next font in each stack (Arial, then sans-serif) and never ask for it.
  const css = fs.readFileSync(path.join(govuk, 'govuk-frontend.min.css'), 'utf8').replace(/@font-face\{[^}]*\}/g, '');
  const etag = `"${crypto.createHash('sha256').update(css).digest('base64url').slice(0, 27)}"`;
  app.get('/assets/govuk-frontend.min.css', (req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.setHeader('ETag', etag);
    if (req.get('if-none-match') === etag) return res.status(304).end();
    res.type('text/css').send(css);
  });
  app.get('/assets/govuk-frontend.min.js', (_req, res) => res.sendFile(path.join(govuk, 'govuk-frontend.min.js')));
  // Only the CSS and JS are served: GOV.UK's fonts, crest and icons are for GOV.UK services only.
  app.use('/public', express.static(path.join(projectRoot, 'public'), cache));
}
