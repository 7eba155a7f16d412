// Remembers which e-mail addresses a file has already had, in bounded memory: a million addresses take about 25 MB.
// Keys are 64-bit hashes of the lower-cased address (two independent 32-bit halves); at a million addresses the chance
// that two different addresses share a hash is about 1 in 30 million, against about 100 MB for a Set of the strings.

/** Two 32-bit hashes of a string (cyrb53's mixing, kept at full width). */
function hash64(text: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

/** Slots for `expected` addresses at a load of at most one half (the table's size is a power of two). */
function slotsFor(expected: number): number {
  let slots = 1 << 14;
  while (slots < expected * 2) slots *= 2;
  return slots;
}

export class SeenEmails {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private rows: Uint32Array;
  private count = 0;

  /**
   * With the number of addresses to expect, the table is allocated once at its final size. Growing frees the old
   * arrays (megabytes, mapped by malloc), which makes glibc raise its mmap threshold: from then on the import's 256 KB
   * read buffers and SQLite's allocations come from the main heap and fragment it, some 40 MB at a million rows.
   */
  constructor(expected = 0) {
    const slots = slotsFor(expected);
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
    this.rows = new Uint32Array(slots);
  }

  get size(): number {
    return this.count;
  }

  /** The row that first had this address, or null (and the address is remembered with `row`). Rows start at 1. */
  firstRow(addressLower: string, row: number): number | null {
    const [h, l] = hash64(addressLower);
    const slot = this.find(h, l);
    const existing = this.rows[slot]!;
    if (existing !== 0) return existing;
    this.hi[slot] = h;
    this.lo[slot] = l;
    this.rows[slot] = row;
    this.count++;
    if (this.count * 2 > this.rows.length) this.grow();
    return null;
  }

  private find(h: number, l: number): number {
    const mask = this.rows.length - 1;
    let slot = (h ^ Math.imul(l, 0x9e3779b1)) & mask;
    while (this.rows[slot] !== 0 && (this.hi[slot] !== h || this.lo[slot] !== l)) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const { hi, lo, rows } = this;
    this.hi = new Uint32Array(rows.length * 2);
    this.lo = new Uint32Array(rows.length * 2);
    this.rows = new Uint32Array(rows.length * 2);
    for (let i = 0; i < rows.length; i++) {
      if (rows[i] === 0) continue;
      const slot = this.find(hi[i]!, lo[i]!);
      this.hi[slot] = hi[i]!;
      this.lo[slot] = lo[i]!;
      this.rows[slot] = rows[i]!;
    }
  }
}
