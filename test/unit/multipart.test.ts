import { describe, expect, it } from 'vitest';
import { multipartBoundary, parseMultipart } from '../../src/web/setup/multipart.ts';

const B = '----TeamAroundBoundary7MA4YWxk';
const part = (headers: string[], body: string | Buffer) => Buffer.concat([Buffer.from(`--${B}\r\n${headers.join('\r\n')}\r\n\r\n`), Buffer.isBuffer(body) ? body : Buffer.from(body), Buffer.from('\r\n')]);
const form = (...parts: Buffer[]) => Buffer.concat([...parts, Buffer.from(`--${B}--\r\n`)]);
const fieldPart = (name: string, value: string) => part([`Content-Disposition: form-data; name="${name}"`], value);

describe('multipart/form-data parsing', () => {
  it('finds the boundary of a multipart content type, and nothing in any other', () => {
    expect(multipartBoundary(`multipart/form-data; boundary=${B}`)).toBe(B);
    expect(multipartBoundary('multipart/form-data; boundary="a b;c"')).toBe('a b;c');
    expect(multipartBoundary('application/x-www-form-urlencoded')).toBeUndefined();
    expect(multipartBoundary('multipart/form-data')).toBeUndefined();
  });

  it('reads fields (repeated names as arrays, UTF-8, line breaks kept) and files byte for byte', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xff]);
    const body = form(
      fieldPart('_csrf', 'token-123'),
      fieldPart('purposes', 'early_help'),
      fieldPart('purposes', 'education'),
      fieldPart('notes', 'Zoë said:\r\n“yes”'),
      part(['Content-Disposition: form-data; name="evidence"; filename="C:\\\\scans\\\\signed %22form%22.png"', 'Content-Type: image/png'], png),
    );
    const { fields, files } = parseMultipart(body, B);
    expect(fields).toEqual({ _csrf: 'token-123', purposes: ['early_help', 'education'], notes: 'Zoë said:\r\n“yes”' });
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ field: 'evidence', filename: 'signed "form".png', contentType: 'image/png', truncated: false });
    expect(Buffer.compare(files[0]!.data, png)).toBe(0);
  });

  it('leaves out a file input left empty', () => {
    const body = form(fieldPart('a', '1'), part(['Content-Disposition: form-data; name="evidence"; filename=""', 'Content-Type: application/octet-stream'], ''));
    expect(parseMultipart(body, B)).toEqual({ fields: { a: '1' }, files: [] });
  });

  it('keeps the fields before a file cut short at the limit, and marks the file truncated', () => {
    const whole = form(fieldPart('_csrf', 'token-123'), part(['Content-Disposition: form-data; name="evidence"; filename="big.pdf"', 'Content-Type: application/pdf'], Buffer.alloc(5000, 0x41)));
    const cut = whole.subarray(0, 1000);
    const { fields, files } = parseMultipart(cut, B, { complete: false });
    expect(fields).toEqual({ _csrf: 'token-123' });
    expect(files[0]).toMatchObject({ field: 'evidence', truncated: true });
    expect(() => parseMultipart(cut, B)).toThrow(/ends too early/);
  });

  it('refuses bodies that are not multipart as declared', () => {
    expect(() => parseMultipart(Buffer.from('a=1&b=2'), B)).toThrow(/no parts/);
    expect(() => parseMultipart(form(part(['Content-Type: text/plain'], 'x')), B)).toThrow(/not form data/);
    expect(() => parseMultipart(Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="a"\r\n`), B)).toThrow(/no end to its headers/);
    const many = form(...Array.from({ length: 5 }, (_, i) => fieldPart(`f${i}`, 'x')));
    expect(() => parseMultipart(many, B, { maxParts: 4 })).toThrow(/too many fields/);
  });
});
