import { runByteContactList } from './byte-engine.js';
import { runParallelContactList } from './parallel-engine.js';
import type { ContactListOptions } from './list-pass.js';
import type { ListReport } from './model.js';
import { phoneReader } from './phone-bytes.js';

/**
 * Reads a contact list and releases its lawful rows (docs/list-format.md):
 * 1. hashes every byte (SHA-256) and stops past maxBytes;
 * 2. sniffs the encoding from the first 64 KiB and brings the rest to UTF-8 streamed (byte-engine.ts reads bytes);
 * 3. sniffs the delimiter, reads the header and finds the phone and consent-date columns;
 * 4. for each data row, the first reason that applies excludes it: invalid_phone, not_callable, duplicate,
 *    invalid_consent_date, consent_out_of_period, consent_date_missing (with requireConsentDate), rpo_opposed;
 * 5. writes released rows (UTF-8, ';', CRLF, phones in E.164, other cells neutralised) to `output`.
 * An unreadable list is a report with readable: false, never an exception; only the source's own errors propagate.
 */
export function processContactList(
  source: AsyncIterable<Uint8Array>,
  options: ContactListOptions,
  /**
   * Read a big list's rows on worker threads as well (parallel-engine.ts): for a runtime that ships row-worker beside
   * its code (filiera verify's compiled build, the sources under tsx); same results to the byte.
   */
  { threads = false }: { threads?: boolean } = {},
): Promise<ListReport> {
  return threads ? runParallelContactList(source, options, phoneReader) : runByteContactList(source, options, phoneReader);
}
