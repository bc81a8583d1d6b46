import { E164Table, e164Key } from './e164-table.js';

/**
 * Duplicates by E.164 keep the first occurrence (docs/list-format.md). The state is an E164Table of numbers (about
 * 10-15 bytes a distinct number); a key that cannot be packed (never for a valid number) falls back to a string set.
 */
export class DedupeState {
  private readonly table = new E164Table(false, 1 << 14);
  private readonly overflow = new Set<string>();

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

  get size(): number {
    return this.table.size + this.overflow.size;
  }

  /** Bytes held by the state's arrays (the overflow set, empty in practice, is not counted). */
  get byteLength(): number {
    return this.table.byteLength;
  }
}
