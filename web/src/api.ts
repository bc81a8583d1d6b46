import type { z } from 'zod';
import type { AuditResponse, DocumentLinks, IntakeView, Page } from '../../shared/api/schemas.js';

/** The console's only way to the data: the HTTP API with the bearer token (PRODUCT.md section 8). */
export type Intake = IntakeView;
export type IntakePage = z.infer<ReturnType<typeof Page<typeof IntakeView>>>;
export type Audit = z.infer<typeof AuditResponse>;
export type Documents = z.infer<typeof DocumentLinks>;

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => string | null,
    /** Called on 401: the session is over. */
    private readonly onUnauthorized: () => void,
  ) {}

  review(query: string): Promise<IntakePage> {
    return this.request('GET', `/v1/review?${query}`);
  }

  intakes(query: string): Promise<IntakePage> {
    return this.request('GET', `/v1/intakes?${query}`);
  }

  intake(id: string): Promise<Intake> {
    return this.request('GET', `/v1/intakes/${encodeURIComponent(id)}`);
  }

  audit(id: string): Promise<Audit> {
    return this.request('GET', `/v1/intakes/${encodeURIComponent(id)}/audit`);
  }

  documents(id: string): Promise<Documents> {
    return this.request('GET', `/v1/intakes/${encodeURIComponent(id)}/documents`);
  }

  decide(id: string, decision: 'approve' | 'reject', justification: string): Promise<Intake> {
    return this.request('POST', `/v1/review/${encodeURIComponent(id)}/decision`, { decision, justification });
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const token = this.token();
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: reported below with the status
    }
    if (!response.ok) {
      if (response.status === 401) this.onUnauthorized();
      const error = (json ?? {}) as { error?: string; message?: string };
      throw new ApiError(response.status, error.error ?? 'http_error', error.message ?? `HTTP ${response.status}`);
    }
    return json as T;
  }
}
