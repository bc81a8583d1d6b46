import type { z } from 'zod';
import type {
  AuditResponse,
  CallCentersResponse,
  ConsentSampleResponse,
  CreateIntakeResponse,
  DocumentLinks,
  IntakeView,
  Page,
  ReleaseLinks,
  ReleaseSummary,
  SignatureReportView,
  TraceResponse,
} from '../../shared/api/schemas.js';

/** The console's only way to the data: the HTTP API with the bearer token (docs/api.md). */
export type Intake = IntakeView;
export type IntakePage = z.infer<ReturnType<typeof Page<typeof IntakeView>>>;
/** The attestation's signature report in an intake (docs/api.md, "The signature report"). */
export type SignatureReport = z.infer<typeof SignatureReportView>;
export type Audit = z.infer<typeof AuditResponse>;
export type Documents = z.infer<typeof DocumentLinks>;
export type Trace = z.infer<typeof TraceResponse>;
export type ConsentSample = z.infer<typeof ConsentSampleResponse>;
export type CallCenters = z.infer<typeof CallCentersResponse>;
export type OpenedIntake = z.infer<typeof CreateIntakeResponse>;
export type Release = z.infer<typeof ReleaseSummary>;
export type ReleasePage = z.infer<ReturnType<typeof Page<typeof ReleaseSummary>>>;
export type ReleaseDownload = z.infer<typeof ReleaseLinks>;

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

  /** The releases in scope whose lists held this number (docs/api.md); the API records the lookup. */
  trace(phone: string): Promise<Trace> {
    return this.request('GET', `/v1/trace?${new URLSearchParams({ phone }).toString()}`);
  }

  decide(id: string, decision: 'approve' | 'reject', justification: string): Promise<Intake> {
    return this.request('POST', `/v1/review/${encodeURIComponent(id)}/decision`, { decision, justification });
  }

  /** The consent sample (docs/consent-sampling.md): the drawn rows, and once checked each row's checks and the defects. */
  consentSample(id: string): Promise<ConsentSample> {
    return this.request('GET', `/v1/intakes/${encodeURIComponent(id)}/consent-sample`);
  }

  /** The sample as the CSV to fill in (its evidence columns empty). */
  async consentSampleCsv(id: string): Promise<Blob> {
    return (await this.send('GET', `/v1/intakes/${encodeURIComponent(id)}/consent-sample?format=csv`, 'text/csv')).blob();
  }

  /** The pre-filled attestation PDF (committente): intake, controller and, once the list is in, its hash and rows. */
  async attestationTemplate(id: string): Promise<Blob> {
    const response = await this.send('GET', `/v1/intakes/${encodeURIComponent(id)}/attestation-template`, 'application/pdf');
    return response.blob();
  }

  /** The committente's call centers (its configured list), for opening an intake. */
  callCenters(): Promise<CallCenters> {
    return this.request('GET', '/v1/call-centers');
  }

  /** Opens an intake; the declared sizes are bound into the upload links (signed Content-Length). */
  openIntake(body: { callCenter: string; campaign: string; listBytes?: number; attestationBytes?: number }): Promise<OpenedIntake> {
    return this.request('POST', '/v1/intakes', body);
  }

  /** Fresh upload links (15 minutes) for an intake still awaiting its files, bound to the sizes given. */
  renewUploads(id: string, body: { listBytes?: number; attestationBytes?: number }): Promise<OpenedIntake> {
    return this.request('POST', `/v1/intakes/${encodeURIComponent(id)}/uploads`, body);
  }

  /** A presigned link for the consent sample's evidence file (committente, while the evidence is awaited), bound to its size. */
  evidenceLink(id: string, bytes: number): Promise<{ upload: OpenedIntake['uploads']['list']; deadline: string }> {
    return this.request('POST', `/v1/intakes/${encodeURIComponent(id)}/evidence?evidenceBytes=${bytes}`);
  }

  /** The releases addressed to the calling call center. */
  releases(query: string): Promise<ReleasePage> {
    return this.request('GET', `/v1/releases?${query}`);
  }

  /** Five-minute links to a release's list and receipt; the API records each issue in the intake's audit trail. */
  release(id: string): Promise<ReleaseDownload> {
    return this.request('GET', `/v1/releases/${encodeURIComponent(id)}`);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, 'application/json', body);
    const text = await response.text();
    try {
      return (text ? JSON.parse(text) : null) as T;
    } catch {
      throw new ApiError(response.status, 'http_error', `HTTP ${response.status}: not JSON`);
    }
  }

  /** The request with the bearer token; an error status becomes an ApiError with the API's message. */
  private async send(method: 'GET' | 'POST', path: string, accept: string, body?: unknown): Promise<Response> {
    const token = this.token();
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        accept,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.ok) return response;
    if (response.status === 401) this.onUnauthorized();
    let error: { error?: string; message?: string } = {};
    try {
      error = JSON.parse(await response.text()) as typeof error;
    } catch {
      // not JSON: reported with the status
    }
    throw new ApiError(response.status, error.error ?? 'http_error', error.message ?? `HTTP ${response.status}`);
  }
}
