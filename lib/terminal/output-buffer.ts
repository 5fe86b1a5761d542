/**
 * Recent terminal output as numbered chunks, bounded in bytes. Whole chunks are
 * dropped from the front when over the bound, never part of one, so a replay never
 * starts inside a chunk the shell wrote in one go.
 */
export class OutputBuffer {
  private chunks: { seq: number; data: string }[] = [];
  private size = 0;
  private last = 0;

  /** @param maxChars bound on kept output @default 256 KiB */
  constructor(private readonly maxChars = 256 * 1024) {}

  /** Sequence number of the newest chunk (0 before any). */
  get lastSeq(): number {
    return this.last;
  }

  push(data: string): number {
    this.last += 1;
    this.chunks.push({ seq: this.last, data });
    this.size += data.length;
    // Keep at least the newest chunk even if it alone is over the bound.
    while (this.size > this.maxChars && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.data.length;
    }
    return this.last;
  }

  /** Chunks after `seq`, and how many the caller missed that are no longer kept. */
  since(seq: number): { chunks: readonly { seq: number; data: string }[]; dropped: number } {
    const first = this.chunks[0]?.seq ?? this.last + 1;
    const dropped = Math.max(0, first - seq - 1);
    return { chunks: this.chunks.filter((c) => c.seq > seq), dropped: seq >= this.last ? 0 : dropped };
  }
}
