import type { ExtractorWiring } from '../attestation/index.js';
import type { LoadedConfig } from '../config.js';
import type { IntakeRepository } from '../ports/intake-repository.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { ExtractionJobs } from '../ports/document-extractor.js';
import type { TraceIndex } from '../ports/trace-index.js';
import type { TraceKeySource } from '../ports/trace-key.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { RevocationLookup } from '../ports/revocation-fetcher.js';

/**
 * What the use cases need from the outside world, as ports. The AWS wiring and the embedded stack's wiring each
 * build one of these; the use cases and handlers never know which.
 */
export interface PipelineDeps {
  intakes: IntakeRepository;
  objects: ObjectStore;
  /**
   * intake: uploads and processing's output (contact data, deleted after the contact retention); release: what call
   * centers download; evidence: the signed attestation and the receipt, kept for the evidence retention under Object
   * Lock (docs/limits-and-retention.md).
   */
  buckets: { intake: string; release: string; evidence: string };
  config: () => Promise<LoadedConfig>;
  now: () => Date;
  log: Logger;
  /** The document extractors: Textract in AWS, offline OCR locally; without a scan reader scans go to a person unread. */
  extractors?: ExtractorWiring;
  /** Collects a finished asynchronous extraction (Textract multi-page jobs); wired beside a Textract scan reader. */
  extractionJobs?: ExtractionJobs;
  /** How long a PROCESSING claim holds before another worker may resume it (default PROCESSING_LEASE_MS). */
  processingLeaseMs?: number;
  /** The per-deployment key of the trace index's hashes (docs/api.md); without it releases are not indexed. */
  traceKey?: TraceKeySource;
  /** The engine that reads the trace index: Athena in AWS, DuckDB locally; wired where numbers are traced. */
  trace?: TraceIndex;
  /** Where stored transitions are announced (docs/events.md); without it nothing is published. */
  events?: EventPublisher;
  /**
   * Revocation data fetched online: asked only when the configuration's revocation.fetch is true (docs/configuration.md);
   * wired on the functions that verify signatures.
   */
  revocation?: RevocationLookup;
}

export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** Links to upload are valid 15 minutes; release downloads 5 (docs/api.md). */
export const UPLOAD_LINK_SECONDS = 15 * 60;
export const DOWNLOAD_LINK_SECONDS = 5 * 60;
/** Attestations are small documents; anything larger is not a form. */
export const MAX_ATTESTATION_BYTES = 50 * 1024 * 1024;
/** A PROCESSING intake untouched for longer than this was abandoned by a crashed worker and may be resumed. */
export const PROCESSING_LEASE_MS = 15 * 60 * 1000;
