import { describe, expect, it } from 'vitest';
import { classifyError, errorResponse, statusOfCode } from '../../../functions/lib/http.js';
import { matchRoute } from '../../../shared/api/routes.js';
import { DomainError, domainErrorCodes } from '../../../shared/errors.js';
import { IllegalTransitionError } from '../../../shared/intake/intake.js';
import { ConcurrentModificationError, InvalidCursorError } from '../../../shared/ports/intake-repository.js';
import { cleanList } from '../../fixtures/stack.js';
import { startMemoryStack, type Caller } from '../../fixtures/memory-stack.js';

/**
 * The use cases speak in error codes; the API maps them to statuses in one table. Each case here was a 500 (and a
 * tripped 5xx alarm) before the table covered the repository's errors.
 */
const acme: Caller = { role: 'committente', tenant: 'acme', sub: 'alice' };
const compliance = (sub: string): Caller => ({ role: 'compliance', tenants: 'all', sub });

describe('the error table', () => {
  it('maps every domain code to a 4xx status', () => {
    for (const code of domainErrorCodes) expect(statusOfCode[code]).toBeGreaterThanOrEqual(400);
    expect(statusOfCode).toMatchObject({ invalid_request: 400, unauthorized: 401, forbidden: 403, not_found: 404, conflict: 409, release_expired: 410 });
  });

  it.each([
    [new DomainError('release_expired', 'gone'), 410],
    [new InvalidCursorError('the cursor is not one this API issued'), 400],
    [new ConcurrentModificationError('FIL-1', { from: 'IN_REVIEW', version: 3 }, { status: 'RELEASED', version: 4 }), 409],
    [new IllegalTransitionError('FIL-1', 'RELEASED', 'decideReview'), 409],
  ])('%s answers %i', (error, status) => {
    expect(errorResponse(error).statusCode).toBe(status);
  });

  it('a fault is a 500 that names nothing internal', () => {
    const response = errorResponse(new Error('ECONNREFUSED 127.0.0.1:8000 table filiera'), { info() {}, warn() {}, error() {} });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('ECONNREFUSED');
    expect(classifyError(new TypeError('x'))).toBeNull();
  });
});

describe('requests that used to answer 500', () => {
  it('GET /v1/intakes?cursor=garbage is 400 naming the cursor', async () => {
    const stack = startMemoryStack();
    const response = await stack.call('GET', '/v1/intakes?cursor=garbage', acme);
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: 'bad_request', message: expect.stringContaining('cursor') });
  });

  it('a path with malformed percent-encoding is invalid_request (400), before any token is looked at', () => {
    expect(() => matchRoute('GET', '/v1/intakes/%E0%A4%A')).toThrow(DomainError);
    try {
      matchRoute('GET', '/v1/intakes/%zz/audit');
    } catch (err) {
      expect(errorResponse(err).statusCode).toBe(400);
    }
  });

  it('two reviewers deciding the same intake at once: one decides, the other gets 409', async () => {
    const stack = startMemoryStack();
    const created = await stack.call('POST', '/v1/intakes', acme, { callCenter: 'cc-napoli', campaign: 'luce' });
    const id = created.json.intakeId as string;
    const list = cleanList(3, 7);
    await stack.upload(id, 'list', list);
    await stack.upload(id, 'attestation', await stack.unsignedAttestation(id, list, 3));
    const [a, b] = await Promise.all([
      stack.call('POST', `/v1/review/${id}/decision`, compliance('carla'), { decision: 'approve', justification: 'Firma autografa verificata con il legale rappresentante.' }),
      stack.call('POST', `/v1/review/${id}/decision`, compliance('dario'), { decision: 'reject', justification: 'Manca la firma digitale qualificata del titolare.' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.json.error).toBe('conflict');
    const decided = (await stack.call('GET', `/v1/intakes/${id}/audit`, acme)).json.events.filter((e: { type: string }) => e.type.startsWith('review.'));
    expect(decided).toHaveLength(1);
  });
});

describe('fresh upload links keep the size bound', () => {
  it('POST /v1/intakes/{id}/uploads binds declared sizes into the links and refuses one over the limit, naming it', async () => {
    const stack = startMemoryStack();
    const created = await stack.call('POST', '/v1/intakes', acme, { callCenter: 'cc-napoli', campaign: 'luce' });
    const id = created.json.intakeId as string;
    const renewed = await stack.call('POST', `/v1/intakes/${id}/uploads`, acme, { attestationBytes: 4321 });
    expect(renewed.status).toBe(200);
    expect(renewed.json.uploads.attestation.headers['content-length']).toBe('4321');
    const tooBig = await stack.call('POST', `/v1/intakes/${id}/uploads`, acme, { attestationBytes: 60 * 1024 * 1024 });
    expect(tooBig.status).toBe(400);
    expect(tooBig.json.message).toMatch(/50 MiB/);
    // No body at all: still fresh links, as before.
    expect((await stack.call('POST', `/v1/intakes/${id}/uploads`, acme)).status).toBe(200);
  });
});
