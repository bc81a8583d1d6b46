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
  /** opposedOnKey for a number already packed by e164Key (the byte engine's fast path). */
  opposedOnE164Key?(key: number): number;
}

/** No date: the listing excludes whatever the consent date. */
const NO_DATE = 0;

const TWO_32 = 4294967296;
/** Filter bits per listed number: one hash, so about 1 in 16 unlisted numbers gets past it to the table. */
const FILTER_BITS_PER_KEY = 16;
const MIN_FILTER_BITS = 1 << 16;

/** The filter's bit for a key: a multiplicative hash of its own, independent of the table's slot hash. */
function filterBit(key: number, shift: number): number {
  const lo = key | 0; // ToInt32: the low 32 bits of a non-negative integer below 2^53
  const hi = (key / TWO_32) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2f), 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x9e3779b1);
  return h >>> shift;
}

/**
 * The register as a compact table: E.164 key -> opposition day key (0 = no date). A number listed more than once
 * keeps its latest opposition date (the latest registration revokes every consent before it), and a listing without
 * a date wins over any dated one.
 */
export class RpoTable implements RpoRegister {
  private readonly table = new E164Table(true, 1 << 12);
  /**
   * A bit per hash of the listed keys, in front of the table: most numbers of a list are not listed, and one bit
   * read from a small array answers for them without probing the table.
   */
  private filter = new Int32Array(MIN_FILTER_BITS >>> 5);
  /** 32 - log2(filter bits): filterBit's shift. */
  private filterShift = 32 - Math.log2(MIN_FILTER_BITS);
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
      this.addToFilter(key);
      return;
    }
    const existing = this.table.value(-slot - 1);
    if (existing === NO_DATE) return;
    if (value === NO_DATE || value > existing) this.table.setValue(-slot - 1, value);
  }

  private addToFilter(key: number): void {
    if (this.table.size * FILTER_BITS_PER_KEY > this.filter.length * 32) {
      // Twice the bits, filled again from the table's keys (the new key is in the table already).
      this.filter = new Int32Array(this.filter.length * 2);
      this.filterShift--;
      this.table.forEachKey((k) => this.setFilterBit(k));
      return;
    }
    this.setFilterBit(key);
  }

  private setFilterBit(key: number): void {
    const bit = filterBit(key, this.filterShift);
    this.filter[bit >>> 5]! |= 1 << (bit & 31);
  }

  /** -1 when not listed, 0 when listed without a date, else the opposition day key. Allocation-free. */
  opposedOnKey(e164: string): number {
    const key = e164Key(e164);
    return key < 0 ? -1 : this.opposedOnE164Key(key);
  }

  /** opposedOnKey for a number already packed by e164Key (>= 0). */
  opposedOnE164Key(key: number): number {
    const bit = filterBit(key, this.filterShift);
    if ((this.filter[bit >>> 5]! & (1 << (bit & 31))) === 0) return -1;
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
