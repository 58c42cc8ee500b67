// A read-through cache that is never wrong for longer than an invalidation takes to arrive.
// Each key remembers its last change (when, and a test of whether a value predates it), so a
// value read or written while its key changed is kept only when it already reflects the change:
// a read that raced a write cannot put the old value back, and an invalidation that arrives late
// for a change the entry already holds does not evict it. Off until told the invalidation feed
// is up, and cleared whenever that changes.

/** True when `value` predates the change: it must not be served after it. */
export type PredatesChange<V> = (value: V) => boolean;

const ALWAYS: PredatesChange<unknown> = () => true;

export class ReadCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly changes = new Map<string, { at: number; predates: PredatesChange<V> }>();
  /** Counts changes; a reader notes it before reading (`mark`). */
  private clock = 0;
  /** Changes before this were forgotten (to bound `changes`): a read from before it is not kept. */
  private forgottenBefore = 0;
  private enabled = false;

  constructor(
    /** A backstop only: invalidation, not age, is what keeps entries right. */
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  async getOrLoad(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit.value;
    const mark = this.mark();
    const value = await load();
    if (value !== undefined) this.putIfCurrent(key, value, mark);
    return value;
  }

  /** The moment to pass to `putIfCurrent`: take it before reading the value. */
  mark(): number {
    return this.clock;
  }

  /** Keeps `value`, read after `mark`, unless its key changed since in a way it does not reflect. */
  putIfCurrent(key: string, value: V, mark: number): void {
    if (!this.enabled || mark < this.forgottenBefore) return;
    const change = this.changes.get(key);
    if (change && change.at > mark && change.predates(value)) return;
    // Oldest first out: a Map iterates in insertion order.
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }

  /** `key` changed; its entry goes unless `predates` says the entry already reflects the change. */
  invalidate(key: string, predates: PredatesChange<V> = ALWAYS): void {
    this.clock++;
    if (this.changes.size >= this.maxEntries) this.forget();
    this.changes.set(key, { at: this.clock, predates });
    const entry = this.entries.get(key);
    if (entry && predates(entry.value)) this.entries.delete(key);
  }

  clear(): void {
    this.clock++;
    this.forget();
    this.entries.clear();
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private forget(): void {
    this.changes.clear();
    this.forgottenBefore = this.clock;
  }
}
