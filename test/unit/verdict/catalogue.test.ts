import { describe, expect, it } from 'vitest';
import { finding } from '../../../shared/verdict/catalogue.js';

describe('finding messages', () => {
  it('end with one stop when the detail is itself a sentence', () => {
    const f = finding('attestation_unreadable', { detail: 'The file is not an attestation Filiera can read: neither a PDF nor an image (PNG, JPEG, TIFF).' });
    expect(f.message).toBe('The attestation cannot be read: The file is not an attestation Filiera can read: neither a PDF nor an image (PNG, JPEG, TIFF).');
    expect(f.messageIt).toMatch(/TIFF\)\.$/);
    expect(finding('list_unreadable', { detail: 'binary data?' }).message).toBe('The contact list cannot be read: binary data?');
    expect(finding('list_unreadable', { detail: 'the list is empty' }).message).toBe('The contact list cannot be read: the list is empty.');
  });
});
