/**
 * The use cases' one error vocabulary. A use case refuses a request by throwing a DomainError with a code; it never
 * names an HTTP status. The API maps codes to statuses in one table (functions/lib/http.ts), so the same refusal
 * reads the same in Lambda, on the embedded stack and in the CLI.
 */
export const domainErrorCodes = ['unauthorized', 'forbidden', 'not_found', 'conflict', 'invalid_request', 'release_expired'] as const;
export type DomainErrorCode = (typeof domainErrorCodes)[number];

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const forbidden = (message: string) => new DomainError('forbidden', message);
export const notFound = (message: string) => new DomainError('not_found', message);
export const conflict = (message: string) => new DomainError('conflict', message);
export const invalidRequest = (message: string) => new DomainError('invalid_request', message);
