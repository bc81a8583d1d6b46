import { dayKey, isoFromDayKey } from './dates.js';
import { createListDecoder } from './decode.js';
import { E164Table, e164Key } from './e164-table.js';
import type { IsoDate } from './model.js';
import { normalizePhone } from './phone.js';
import { sniffEncoding } from './sniff.js';

/**
 * The suppression register (Registro Pubblico delle Opposizioni, DPR 26/2022): numbers whose owners opposed
 * telemarketing, optionally with the date of opposition. Registering revokes earlier consents, not later ones.
 */
export interface RpoRegister {
  lookup(e164: string): { opposedOn: IsoDate | null } | undefined;
  readonly size: number;
  /** Lines that could not be read as a phone number (or whose date could not be read). */
  readonly unreadableLines: number;
  /** Optional fast path for the list engine: -1 not listed, 0 listed without a date, else the opposition day key. */
  opposedOnKey?(e164: string): number;
}

/** No date: the listing excludes whatever the consent date. */
const NO_DATE = 0;

/**
 * The register as a compact table: E.164 key -> opposition day key (0 = no date). A number listed more than once
 * keeps its latest opposition date (the latest registration revokes every consent before it), and a listing without
 * a date wins over any dated one.
 */
export class RpoTable implements RpoRegister {
  private readonly table = new E164Table(true, 1 << 12);
  unreadableLines = 0;

  get size(): number {
    return this.table.size;
  }

  add(e164: string, opposedOnKey: number | null): void {
    const key = e164Key(e164);
    if (key < 0) {
      this.unreadableLines++;
      return;
    }
    const value = opposedOnKey ?? NO_DATE;
    const slot = this.table.insert(key);
    if (slot >= 0) {
      this.table.setValue(slot, value);
      return;
    }
    const existing = this.table.value(-slot - 1);
    if (existing === NO_DATE) return;
    if (value === NO_DATE || value > existing) this.table.setValue(-slot - 1, value);
  }

  /** -1 when not listed, 0 when listed without a date, else the opposition day key. Allocation-free. */
  opposedOnKey(e164: string): number {
    const key = e164Key(e164);
    if (key < 0) return -1;
    const slot = this.table.find(key);
    return slot < 0 ? -1 : this.table.value(slot);
  }

  lookup(e164: string): { opposedOn: IsoDate | null } | undefined {
    const k = this.opposedOnKey(e164);
    if (k < 0) return undefined;
    return { opposedOn: k === NO_DATE ? null : isoFromDayKey(k) };
  }
}

/** One line: "number" or "number;date" (also ',' or TAB before the date). Blank lines are skipped. */
function readLine(register: RpoTable, line: string): void {
  const text = line.trim();
  if (text === '') return;
  const cut = text.search(/[;,\t]/);
  const numberPart = cut < 0 ? text : text.slice(0, cut).trim();
  const datePart = cut < 0 ? '' : text.slice(cut + 1).trim().replace(/^"|"$/g, '');
  const e164 = normalizePhone(numberPart.replace(/^"|"$/g, ''));
  if (e164 === null) {
    register.unreadableLines++;
    return;
  }
  if (datePart === '') {
    register.add(e164, null);
    return;
  }
  const key = dayKey(datePart);
  if (key < 0) {
    // The number is listed but its date cannot be read: it excludes as an undated listing would (the safe side),
    // and the line counts as unreadable so people look at it.
    register.unreadableLines++;
    register.add(e164, null);
    return;
  }
  register.add(e164, key);
}

/** Reads an RPO file, streamed: lines "number" or "number;date", any notation, UTF-8/UTF-16/Windows-1252. */
export async function loadRpoRegister(source: AsyncIterable<Uint8Array>): Promise<RpoRegister> {
  const register = new RpoTable();
  let decoder: ReturnType<typeof createListDecoder> | null = null;
  let carry = '';
  const take = (text: string, final: boolean): void => {
    const all = carry + text;
    const lines = all.split(/\r\n|\r|\n/);
    carry = final ? '' : (lines.pop() ?? '');
    for (const line of lines) readLine(register, line);
  };
  for await (const chunk of source) {
    if (decoder === null) {
      const sniffed = sniffEncoding(chunk.subarray(0, 4096));
      decoder = createListDecoder(sniffed === 'binary' ? 'utf-8' : sniffed, false);
    }
    take(decoder.decode(chunk), false);
  }
  take(decoder?.end() ?? '', true);
  return register;
}
