import type { Intake } from '../intake/intake.js';
import { stagedListKey } from '../intake/object-keys.js';
import { traceIndexKey } from '../trace/index-layout.js';
import { traceEntries, traceIndexFile } from '../trace/index-writer.js';
import type { PipelineDeps } from './deps.js';

/**
 * Writes a release's trace index to the evidence bucket (docs/limits-and-retention.md, docs/api.md): the keyed hash of each
 * released number with its row's consent date and source, and the release's facts, as one Parquet file under the
 * tenant's and month's partition. Read from the staged cleaned list (the bytes the call center gets), streamed.
 * The key depends on the intake and the release instant only: a retry in the same month rewrites the same key.
 * Null when the deployment has no trace key (a stack wired without tracing): the release goes on, unindexed.
 */
export async function writeReleaseIndex(deps: PipelineDeps, intake: Intake, releasedAt: Date): Promise<string | null> {
  if (!deps.traceKey) {
    deps.log.warn('no trace key wired: the release is not indexed for tracing', { intakeId: intake.intakeId });
    return null;
  }
  const key = await deps.traceKey.key();
  const objectKey = traceIndexKey(intake.tenantId, releasedAt, intake.intakeId);
  const list = deps.objects.getStream(deps.buckets.intake, stagedListKey(intake.tenantId, intake.intakeId));
  const file = traceIndexFile(traceEntries(list, key), {
    intakeId: intake.intakeId,
    callCenter: intake.callCenterId,
    campaign: intake.campaign,
    releasedAt,
  });
  await deps.objects.putObject(deps.buckets.evidence, objectKey, file, { contentType: 'application/vnd.apache.parquet' });
  return objectKey;
}
