import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../shared/intake/audit.js';
import type { PipelineDeps } from '../../../shared/pipeline/deps.js';
import { handleObjectCreated } from '../../../shared/pipeline/process-intake.js';
import { boundAttestation, cleanList, neverEndingStream, override, startTestStack, type TestStack } from '../../fixtures/stack.js';

/**
 * Faults lose nothing and release nothing twice (docs/architecture.md): a duplicated S3 event, a crash between the
 * verdict and the release, a restart in the middle of processing. Each ends with exactly one release and a complete,
 * valid audit trail.
 */
let stack: TestStack;
/** Faults the next operations meet; each test arms what it needs. One stack serves the file (a JVM start is slow). */
const faults = { failReleaseCopies: 0, stuckLists: false };

function withFaults(deps: PipelineDeps): PipelineDeps {
  return {
    ...deps,
    objects: override(deps.objects, {
      copyObject: async (...args: Parameters<PipelineDeps['objects']['copyObject']>) => {
        if (faults.failReleaseCopies > 0) {
          faults.failReleaseCopies--;
          throw new Error('simulated crash: the process died during the release copy');
        }
        return deps.objects.copyObject(...args);
      },
      getStream: (...args: Parameters<PipelineDeps['objects']['getStream']>) =>
        faults.stuckLists && args[1].endsWith('/list.csv') ? neverEndingStream : deps.objects.getStream(...args),
    }),
  };
}

beforeAll(async () => {
  stack = await startTestStack({ decorate: withFaults });
});

afterAll(async () => {
  await stack?.dispose();
});

async function open(s: TestStack) {
  const token = await s.token({ role: 'committente', tenant: 'acme', sub: 'alice' });
  const created = await fetch(`${s.baseUrl}/v1/intakes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ callCenter: 'cc-napoli', campaign: 'Faults' }),
  }).then((r) => r.json());
  const put = (link: any, body: Uint8Array | string) => fetch(link.url, { method: 'PUT', headers: link.headers, body: body as BodyInit });
  return { token, created, put };
}

async function expectOneRelease(s: TestStack, intakeId: string) {
  const intake = await s.deps.intakes.get(intakeId);
  expect(intake?.status).toBe('RELEASED');
  const events = await s.deps.intakes.auditTrail(intakeId);
  expect(verifyAuditChain(events).valid).toBe(true);
  const types = events.map((e) => e.type);
  expect(types.filter((t) => t === 'release.published')).toHaveLength(1);
  expect(types.filter((t) => t === 'verdict.recorded')).toHaveLength(1);
  expect(types[0]).toBe('intake.created');
  return types;
}

describe('faults', () => {
  it('a duplicated S3 event is harmless', async () => {
    const { created, put } = await open(stack);
    const list = cleanList(5, 10);
    await put(created.uploads.list, list);
    await put(created.uploads.attestation, await boundAttestation(created.intakeId, list, 5));
    await stack.settle();
    const intake = (await stack.deps.intakes.get(created.intakeId))!;
    const uploads = intake.uploads;
    // Act: S3 delivers both events again (at-least-once delivery).
    for (const kind of ['list', 'attestation'] as const) {
      const u = uploads[kind]!;
      const outcome = await handleObjectCreated(stack.deps, { bucket: 'filiera-intake', key: u.key, size: u.size, etag: u.etag });
      expect(outcome).toBe('duplicate');
    }
    await expectOneRelease(stack, created.intakeId);
  });

  it('a crash between the verdict and the release is retried to exactly one release', async () => {
    faults.failReleaseCopies = 1;
    const { created, put } = await open(stack);
    const list = cleanList(6, 11);
    await put(created.uploads.list, list);
    await put(created.uploads.attestation, await boundAttestation(created.intakeId, list, 6));
    // The first delivery records the verdict and dies in the release; the queue redelivers the event.
    await stack.settle();
    expect(faults.failReleaseCopies).toBe(0);
    const types = await expectOneRelease(stack, created.intakeId);
    expect(types.indexOf('verdict.recorded')).toBeLessThan(types.indexOf('release.published'));
  });

  it('a stack restarted in the middle of processing finishes the intake on start-up', async () => {
    // Prepare: the first run's worker gets stuck reading the list (and the process is then killed).
    faults.stuckLists = true;
    const { created, put } = await open(stack);
    const list = cleanList(8, 12);
    await put(created.uploads.list, list);
    await put(created.uploads.attestation, await boundAttestation(created.intakeId, list, 8));
    await waitFor(async () => (await stack!.deps.intakes.get(created.intakeId))?.status === 'PROCESSING');
    // Act: kill it mid-processing and start again on the same data folder, without the fault.
    faults.stuckLists = false;
    stack = await stack.restartStack({ abandon: true, keepDecorate: true });
    await stack.settle();
    // Assess
    const types = await expectOneRelease(stack, created.intakeId);
    expect(types).toContain('processing.resumed');
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
