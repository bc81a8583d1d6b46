import { E164_TABLE_MAX_LOAD, E164Table, e164Key } from './e164-table.js';

/**
 * Duplicates by E.164 keep the first occurrence (docs/list-format.md). The state is an E164Table of numbers (about
 * 10-15 bytes a distinct number); a key that cannot be packed (never for a valid number) falls back to a string set.
 */
export class DedupeState {
  private readonly table: E164Table;
  private readonly overflow = new Set<string>();

  /** `capacity`: slots to start with (dedupeCapacity sizes it from a list's length so that it never regrows). */
  constructor(capacity = 1 << 14) {
    this.table = new E164Table(false, capacity);
  }

  /** True the first time a number is seen. */
  firstSeen(e164: string): boolean {
    const key = e164Key(e164);
    if (key < 0) {
      if (this.overflow.has(e164)) return false;
      this.overflow.add(e164);
      return true;
    }
    return this.table.add(key);
  }

  /** firstSeen for a number already packed by e164Key (>= 0). */
  firstSeenKey(key: number): boolean {
    return this.table.add(key);
  }

  get size(): number {
    return this.table.size + this.overflow.size;
  }

  /** Bytes held by the state's arrays (the overflow set, empty in practice, is not counted). */
  get byteLength(): number {
    return this.table.byteLength;
  }
}

/**
 * Slots for a list of `expectedBytes` whose first records average `bytesPerRecord`: every record a distinct number,
 * a quarter more for records shorter than the head's, at the table's load limit. The table then never regrows on
 * a list like its head; a list of shorter records past that still reads right, it regrows.
 */
export function dedupeCapacity(expectedBytes: number, bytesPerRecord: number): number {
  const records = Math.ceil((expectedBytes / Math.max(1, bytesPerRecord)) * 1.25);
  return Math.max(1 << 14, Math.ceil(records / E164_TABLE_MAX_LOAD) + 1);
}
