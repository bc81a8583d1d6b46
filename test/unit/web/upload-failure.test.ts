import { describe, expect, it } from 'vitest';
import { classifyUploadFailure } from '../../../web/src/upload.js';

const s3Error = (code: string, message: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;

describe('what a failed upload to a presigned link means for the person uploading', () => {
  it('an expired link, a refused one, and no answer at all are told apart', () => {
    expect(classifyUploadFailure(403, s3Error('AccessDenied', 'Request has expired'))).toBe('expired');
    expect(classifyUploadFailure(403, s3Error('SignatureDoesNotMatch', 'The request signature we calculated does not match'))).toBe('refused');
    expect(classifyUploadFailure(403, s3Error('AccessDenied', 'There were headers present in the request which were not signed'))).toBe('refused');
    expect(classifyUploadFailure(400, '')).toBe('refused');
    expect(classifyUploadFailure(0, '')).toBe('network');
  });
});
