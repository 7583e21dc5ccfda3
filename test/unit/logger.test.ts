import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';

describe('logger redaction', () => {
  it('redacts personal fields at the top level and nested up to two levels', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(chunk.toString()); cb(); } });
    const log = createLogger('info', sink);
    log.info({ email: 'a@b.example', person: { familyName: 'Carter', address: { postcode: 'NB1 2AB' } }, user: { profile: { nhsNumber: '9990001234' } }, ok: 'kept' }, 'x');
    const out = lines.join('');
    for (const secret of ['a@b.example', 'Carter', 'NB1 2AB', '9990001234']) expect(out).not.toContain(secret);
    expect(out).toContain('kept');
    expect(out).toContain('[redacted]');
  });
});
