import { createHash, randomBytes } from 'node:crypto';

import type { AuditEvent, AuditEventDraft } from '../intake/audit.js';
import { verifyAuditChain } from '../intake/audit.js';
import { parseCalendarDate } from '../list/dates.js';
import { normaliseHeaderName } from '../list/engine.js';
import type { IsoDate } from '../list/model.js';
import { compareKeyWords, keyWordsHex, MAX_SAMPLE_INDEX, SampleKeyHasher } from './sample-key.js';

/**
 * The draw of the consent sample (docs/consent-sampling.md; Codice di condotta telemarketing 2024 art. 6.1.a: consents
 * verified "at least on a significantly representative sample").
 *
 * Unpredictable when the attestation is signed: the nonce is drawn when the attestation arrives, after the signer can
 * no longer change the list or the attestation. Reproducible afterwards by anyone holding the audit trail:
 *   seed  = SHA-256(list SHA-256 bytes || attestation SHA-256 bytes || nonce)        (32 + 32 + 32 bytes)
 *   key_i = SHA-256(seed || uint32be(i))                                              (i: 0-based released row)
 *   sample = the `size` rows with the smallest keys (big-endian unsigned), listed in row order.
 */

/** The audit event that records the nonce. */
export const CONSENT_SAMPLE_DRAWN = 'consent_sample.drawn';

const HEX64 = /^[0-9a-fA-F]{64}$/;

function hexBytes(name: string, hex: string): Buffer {
  if (typeof hex !== 'string' || !HEX64.test(hex)) throw new RangeError(`${name} must be 64 hexadecimal digits`);
  return Buffer.from(hex, 'hex');
}

/** A fresh nonce: 32 random bytes as 64 lower-case hex digits. `random` is injectable for tests. */
export function newConsentSampleNonce(random: (size: number) => Uint8Array = randomBytes): string {
  const bytes = random(32);
  if (bytes.byteLength !== 32) throw new RangeError('the nonce source must return 32 bytes');
  return Buffer.from(bytes.buffer, bytes.byteOffset, 32).toString('hex');
}

/** The data of the `consent_sample.drawn` event: `{ nonce }`, nothing else (the seed follows from the hashes). */
export function consentSampleDrawnData(nonce: string): { nonce: string } {
  return { nonce: hexBytes('the nonce', nonce).toString('hex') };
}

/** The draft of the audit event to append when the attestation arrives. */
export function consentSampleDrawnEvent(nonce: string, at: Date | string, actor = 'system:pipeline'): AuditEventDraft {
  return {
    type: CONSENT_SAMPLE_DRAWN,
    actor,
    at: typeof at === 'string' ? at : at.toISOString(),
    data: consentSampleDrawnData(nonce),
  };
}

/** seed = SHA-256(list SHA-256 bytes || attestation SHA-256 bytes || nonce), as 64 lower-case hex digits. */
export function consentSampleSeed(listSha256: string, attestationSha256: string, nonce: string): string {
  return createHash('sha256')
    .update(hexBytes('the list SHA-256', listSha256))
    .update(hexBytes('the attestation SHA-256', attestationSha256))
    .update(hexBytes('the nonce', nonce))
    .digest('hex');
}

export type SeedFromTrail =
  | { ok: true; seed: string; nonce: string; event: AuditEvent }
  | { ok: false; reason: string };

/**
 * The auditor's path: the seed from an intake's audit trail and the two files' hashes, nothing else. The trail must
 * re-check as a hash chain. The first `consent_sample.drawn` event is the draw; a later one never replaces it (a
 * second draw would let someone pick the sample they like), so a trail with two is refused.
 */
export function consentSeedFromAuditTrail(
  events: readonly AuditEvent[],
  listSha256: string,
  attestationSha256: string,
): SeedFromTrail {
  const chain = verifyAuditChain(events);
  if (!chain.valid) return { ok: false, reason: `the audit trail does not re-check at event ${chain.brokenAt}: ${chain.reason}` };
  const drawn = events.filter((e) => e.type === CONSENT_SAMPLE_DRAWN);
  if (drawn.length === 0) return { ok: false, reason: `the audit trail has no ${CONSENT_SAMPLE_DRAWN} event` };
  if (drawn.length > 1) {
    return { ok: false, reason: `the audit trail has ${drawn.length} ${CONSENT_SAMPLE_DRAWN} events (seq ${drawn.map((e) => e.seq).join(', ')}): a sample is drawn once` };
  }
  const event = drawn[0]!;
  const nonce = event.data['nonce'];
  if (typeof nonce !== 'string' || !HEX64.test(nonce)) {
    return { ok: false, reason: `the ${CONSENT_SAMPLE_DRAWN} event (seq ${event.seq}) carries no 64-hex nonce` };
  }
  return { ok: true, seed: consentSampleSeed(listSha256, attestationSha256, nonce), nonce: nonce.toLowerCase(), event };
}

/** One sampled row, as the committente downloads it and the receipt records it. */
export interface ConsentSampleRow {
  /** 1-based data row of the uploaded list (the header and blank lines not counted). */
  row: number;
  /** 0-based position among the released rows: the i of key_i. */
  index: number;
  /** The phone in E.164, as released. */
  phone: string;
  /** The list's consent date (YYYY-MM-DD), null when the row has none. */
  consentDate: IsoDate | null;
  /** The list's consent source as written (bounded), null when the row has none. */
  consentSource: string | null;
  /** key_i, 64 lower-case hex digits. */
  key: string;
}

/** What the list's pass hands the selector for each released row. */
export interface ConsentSampleCandidate {
  index: number;
  row: number;
  phone: string;
  consentDate: string | null;
  consentSource: string | null;
}

/** A stored string is bounded (docs/limits-and-retention.md): a source cell longer than this is cut. */
export const MAX_SOURCE_CHARS = 256;

interface Retained {
  key: Uint32Array;
  index: number;
  row: number;
  phone: string;
  consentDate: IsoDate | null;
  consentSource: string | null;
}

function blankToNull(cell: string | null): string | null {
  if (cell === null) return null;
  const trimmed = cell.trim();
  return trimmed === '' ? null : trimmed;
}

function boundSource(cell: string | null): string | null {
  const text = blankToNull(cell);
  if (text === null) return null;
  return detach(text.length <= MAX_SOURCE_CHARS ? text : `${text.slice(0, MAX_SOURCE_CHARS - 1)}…`);
}

/**
 * A copy of a string that shares nothing with it. The list's reader slices cells out of a decoded chunk of 64 KiB,
 * and V8 keeps a slice's whole parent alive: a sample holding the slices of n rows would hold up to n chunks, the
 * list itself for a large n. Retained rows are few (about n(1 + ln(N/n)) over N rows), so copying them costs nothing.
 */
function detach(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * Selects the sample in the list's single pass. It keeps a max-heap of at most `size` rows ordered by key (ties, which
 * SHA-256 makes practically impossible, by index): a row whose key is below the heap's largest replaces it. It holds
 * nothing else per row, so memory is bounded by `size` whatever the list's length, and a row that does not enter the
 * heap costs one key computation and one comparison, no allocation.
 *
 * Rows must be offered in released order, index 0, 1, 2, ...: the key depends on the index, and a skipped or repeated
 * row would silently draw another sample, so it is refused.
 */
export class ConsentSampleSelector {
  readonly seed: string;
  readonly size: number;
  private readonly hasher: SampleKeyHasher;
  private readonly heap: Retained[] = [];
  private scratch = new Uint32Array(8);
  private next = 0;
  private dateColumn = -1;
  private sourceColumn = -1;

  constructor(seed: string | Uint8Array, size: number) {
    const bytes = typeof seed === 'string' ? hexBytes('the sample seed', seed) : Buffer.from(seed);
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`the sample size is a whole number >= 0, not ${size}`);
    this.hasher = new SampleKeyHasher(bytes);
    this.seed = bytes.toString('hex');
    this.size = size;
  }

  /** Rows offered so far (the next expected index). */
  get offered(): number {
    return this.next;
  }

  /** Rows held now: never more than `size`. */
  get retained(): number {
    return this.heap.length;
  }

  /**
   * One released row. `consentDate` is the list's cell (DD/MM/YYYY or ISO 8601) or null; `consentSource` the cell as
   * written or null. Only a row that enters the sample has its cells read.
   */
  offer(index: number, row: number, phone: string, consentDate: string | null, consentSource: string | null): void {
    if (index !== this.next) {
      throw new RangeError(`released rows are offered in order: expected index ${this.next}, got ${index}`);
    }
    if (index > MAX_SAMPLE_INDEX) throw new RangeError(`a list of more than ${MAX_SAMPLE_INDEX + 1} released rows cannot be sampled`);
    this.next++;
    if (this.size === 0) return;
    const key = this.scratch;
    this.hasher.keyIntoUnchecked(index, key);
    const heap = this.heap;
    if (heap.length === this.size) {
      // The heap is full: the row enters only below the largest key held (a larger index loses a tie).
      if (compareKeyWords(key, heap[0]!.key) >= 0) return;
    }
    const entry: Retained = {
      key,
      index,
      row,
      phone: detach(phone),
      consentDate: consentDate === null ? null : parseCalendarDate(consentDate.trim()),
      consentSource: boundSource(consentSource),
    };
    this.scratch = new Uint32Array(8);
    if (heap.length < this.size) {
      heap.push(entry);
      this.siftUp(heap.length - 1);
    } else {
      heap[0] = entry;
      this.siftDown(0);
    }
  }

  /** Binds the list's header, for `offerCells`: finds the consent date and source columns (sampleColumns). */
  bindHeader(header: readonly string[]): void {
    const columns = sampleColumns(header);
    this.dateColumn = columns.consentDate;
    this.sourceColumn = columns.consentSource;
  }

  /**
   * One released row as the list's reader holds it: its cells (a reused array, `count` of them valid). The list's
   * pass needs two lines: `bindHeader(header)` once, `offerCells(...)` for each released row.
   */
  offerCells(index: number, row: number, phone: string, cells: readonly string[], count: number): void {
    const d = this.dateColumn;
    const s = this.sourceColumn;
    this.offer(index, row, phone, d >= 0 && d < count ? cells[d]! : null, s >= 0 && s < count ? cells[s]! : null);
  }

  /** Offers a candidate object (tests, small feeds). */
  offerCandidate(c: ConsentSampleCandidate): void {
    this.offer(c.index, c.row, c.phone, c.consentDate, c.consentSource);
  }

  /** The sample so far, in row order. */
  rows(): ConsentSampleRow[] {
    return [...this.heap]
      .sort((a, b) => a.index - b.index)
      .map((e) => ({
        row: e.row,
        index: e.index,
        phone: e.phone,
        consentDate: e.consentDate,
        consentSource: e.consentSource,
        key: keyWordsHex(e.key),
      }));
  }

  /** a above b in the max-heap: larger key, or equal key and larger index. */
  private above(a: Retained, b: Retained): boolean {
    const c = compareKeyWords(a.key, b.key);
    return c > 0 || (c === 0 && a.index > b.index);
  }

  private siftUp(at: number): void {
    const heap = this.heap;
    const entry = heap[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.above(entry, heap[parent]!)) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = entry;
  }

  private siftDown(at: number): void {
    const heap = this.heap;
    const n = heap.length;
    const entry = heap[at]!;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.above(heap[right]!, heap[left]!) ? right : left;
      if (!this.above(heap[child]!, entry)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = entry;
  }
}

/** The whole draw over a feed of released rows (offline checks, tests). */
export function drawConsentSample(
  seed: string,
  size: number,
  feed: Iterable<ConsentSampleCandidate>,
): ConsentSampleRow[] {
  const selector = new ConsentSampleSelector(seed, size);
  for (const c of feed) selector.offerCandidate(c);
  return selector.rows();
}

/**
 * The sampled indices from the seed and the number of released rows alone: keys depend on the index, not on the
 * row, so the receipt (both hashes, releasedRows, the sampled rows) and the audit trail (the nonce) suffice to check
 * that the receipt's rows are the drawn ones, long after the list itself is deleted (docs/limits-and-retention.md).
 */
export function drawSampleIndices(seed: string, releasedRows: number, size: number): number[] {
  const selector = new ConsentSampleSelector(seed, size);
  for (let i = 0; i < releasedRows; i++) selector.offer(i, i + 1, '', null, null);
  return selector.rows().map((r) => r.index);
}

/** The list's columns the sample carries besides the phone (docs/list-format.md names them). */
const CONSENT_DATE_HEADERS = ['data_consenso', 'consent_date'];
const CONSENT_SOURCE_HEADERS = ['fonte_consenso', 'consent_source'];

/**
 * Where a list's header keeps the consent date and source (-1 when it has none), matched as the list engine matches
 * header names, so the list's pass can hand their cells to `offer` without looking at other columns.
 */
export function sampleColumns(header: readonly string[]): { consentDate: number; consentSource: number } {
  const names = header.map(normaliseHeaderName);
  return {
    consentDate: names.findIndex((n) => CONSENT_DATE_HEADERS.includes(n)),
    consentSource: names.findIndex((n) => CONSENT_SOURCE_HEADERS.includes(n)),
  };
}
