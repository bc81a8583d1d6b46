/**
 * A compact hash table keyed by E.164 numbers, for the dedupe state and the RPO register.
 *
 * An E.164 number has at most 15 digits, so its digits read as an integer fit a float64 exactly, and no calling
 * code starts with 0, so the integer names the number uniquely. Keys live in a Float64Array with open addressing
 * (linear probing; 0 marks an empty slot), 8 bytes a slot instead of the ~90 bytes a Set<string> entry costs. The
 * table grows by 1.5x at a load of 0.8, so it holds between 8/0.8 = 10 and 8/(0.8/1.5) = 15 bytes per entry, plus
 * 4 per entry when it carries values.
 */

const MAX_LOAD = 0.8;
export const E164_TABLE_MAX_LOAD = MAX_LOAD;
const GROWTH = 1.5;
const TWO_32 = 4294967296;

/** The integer of an E.164 number's digits, or -1 if it is not "+" followed by 1 to 15 digits. */
export function e164Key(e164: string): number {
  const n = e164.length;
  if (n < 2 || n > 16 || e164.charCodeAt(0) !== 43) return -1;
  let v = 0;
  for (let i = 1; i < n; i++) {
    const d = e164.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v === 0 ? -1 : v;
}

function hash(key: number): number {
  const lo = key | 0; // ToInt32: the low 32 bits of a non-negative integer below 2^53
  const hi = (key / TWO_32) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class E164Table {
  private keys: Float64Array;
  private values: Int32Array | null;
  private capacity: number;
  private limit: number;
  size = 0;

  constructor(withValues: boolean, initialCapacity = 1024) {
    this.capacity = Math.max(16, initialCapacity);
    this.keys = new Float64Array(this.capacity);
    this.values = withValues ? new Int32Array(this.capacity) : null;
    this.limit = Math.floor(this.capacity * MAX_LOAD);
  }

  /** Bytes held by the table's arrays. */
  get byteLength(): number {
    return this.keys.byteLength + (this.values?.byteLength ?? 0);
  }

  private slot(key: number): number {
    // Multiply-shift range reduction ("fastrange"); the guard covers float rounding at the very top.
    const i = Math.floor((hash(key) * this.capacity) / TWO_32);
    return i < this.capacity ? i : this.capacity - 1;
  }

  /** Slot index holding key, or -1. */
  find(key: number): number {
    const keys = this.keys;
    const cap = this.capacity;
    let i = this.slot(key);
    for (;;) {
      const k = keys[i]!;
      if (k === key) return i;
      if (k === 0) return -1;
      if (++i === cap) i = 0;
    }
  }

  /** Adds key; true if it was not there. */
  add(key: number): boolean {
    return this.insert(key) >= 0;
  }

  /** Inserts key and returns its slot, or returns -(slot + 1) when it was already there. */
  insert(key: number): number {
    if (this.size >= this.limit) this.grow();
    const keys = this.keys;
    const cap = this.capacity;
    let i = this.slot(key);
    for (;;) {
      const k = keys[i]!;
      if (k === key) return -(i + 1);
      if (k === 0) {
        keys[i] = key;
        this.size++;
        return i;
      }
      if (++i === cap) i = 0;
    }
  }

  /** Calls `each` with every key held, in slot order. */
  forEachKey(each: (key: number) => void): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) each(keys[i]!);
  }

  has(key: number): boolean {
    return this.find(key) >= 0;
  }

  value(slot: number): number {
    return this.values === null ? 0 : this.values[slot]!;
  }

  setValue(slot: number, value: number): void {
    if (this.values !== null) this.values[slot] = value;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.capacity = Math.ceil(this.capacity * GROWTH);
    this.limit = Math.floor(this.capacity * MAX_LOAD);
    this.keys = new Float64Array(this.capacity);
    this.values = oldValues === null ? null : new Int32Array(this.capacity);
    const keys = this.keys;
    const cap = this.capacity;
    for (let j = 0; j < oldKeys.length; j++) {
      const key = oldKeys[j]!;
      if (key === 0) continue;
      let i = this.slot(key);
      while (keys[i] !== 0) if (++i === cap) i = 0;
      keys[i] = key;
      if (oldValues !== null) this.values![i] = oldValues[j]!;
    }
  }
}
