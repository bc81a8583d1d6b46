import { ConcurrentModificationError } from '../ports/intake-repository.js';
import type { PipelineDeps } from './deps.js';
import { EXTRACTION_STARTED, processIntake } from './process-intake.js';

/** An asynchronous extraction job finished (Textract's completion message, through SNS and SQS). */
export interface ExtractionCompleted {
  jobId: string;
  /** As the engine reports it: SUCCEEDED, FAILED or ERROR for Textract. */
  status: string;
  /** The intake the job was started for (Textract's JobTag). */
  reference: string;
}

export type ExtractionCompletedOutcome =
  | 'processed' // the verdict is recorded
  | 'ignored' // not a job of a PROCESSING intake (a duplicate or stray message)
  | 'busy'; // another worker moved the intake meanwhile: retry later

/**
 * The second step of reading a multi-page scan: the job started by processIntake finished.
 *
 * 1. Only a job recorded on a PROCESSING intake's trail is accepted: a duplicate message (the intake already has its
 *    verdict) or a stray one changes nothing.
 * 2. Collect the job's result. A job that failed is a document the engine could not read: a finding in the verdict,
 *    never an intake left waiting. A job still running is a fault (the message came early): the caller retries.
 * 3. Claim the intake again (conditional write, so no other worker runs it at the same time) and finish it with the
 *    result standing in for the scan reader.
 */
export async function completeExtraction(deps: PipelineDeps, message: ExtractionCompleted): Promise<ExtractionCompletedOutcome> {
  if (!deps.extractionJobs) throw new Error('an extraction completed, but no asynchronous extractor is wired');
  const intake = await deps.intakes.get(message.reference);
  if (!intake || intake.status !== 'PROCESSING') {
    deps.log.info('extraction completed for an intake that is not waiting for it', { jobId: message.jobId, intakeId: message.reference });
    return 'ignored';
  }
  const trail = await deps.intakes.auditTrail(intake.intakeId);
  if (!trail.some((e) => e.type === EXTRACTION_STARTED && e.data.jobId === message.jobId)) {
    deps.log.warn('extraction completed for a job this intake did not start', { jobId: message.jobId, intakeId: intake.intakeId });
    return 'ignored';
  }

  const extracted = await deps.extractionJobs.collect(message.jobId);
  if (extracted.status === 'pending') throw new Error(`extraction job ${message.jobId} is still running (${message.status})`);

  const move = intake.resumeProcessing({ actor: 'system:pipeline', now: deps.now() });
  try {
    await deps.intakes.transition(move.intakeId, move.expected, move.changes, move.event);
  } catch (err) {
    if (err instanceof ConcurrentModificationError) return 'busy';
    throw err;
  }
  const result = await processIntake(deps, move.next, { extracted });
  if (result === 'extracting') throw new Error(`extraction job ${message.jobId}: the result did not stand in for the reader`);
  return 'processed';
}
