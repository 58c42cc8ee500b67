// A read-through cache that is never wrong for longer than an invalidation takes to arrive.
// Each key remembers its last change (when, and a test of whether a value isStale it), so a
// value read or written while its key changed is kept only when it already reflects the change:
// a read that raced a write cannot put the old value back, and an invalidation that arrives late
// for a change the entry already holds does not evict it. Off until told the invalidation feed
// is up, and cleared whenever that changes.

/** True when `value` isStale the change: it must not be served after it. */
export type IsStale<V> = (value: V) => boolean;

const ALWAYS: IsStale<unknown> = () => true;

export class ReadCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly changes = new Map<string, { at: number; isStale: IsStale<V> }>();
  /** Counts changes; a reader notes it before reading (`stamp`). */
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
    const stamp = this.stamp();
    const value = await load();
    if (value !== undefined) this.putIfCurrent(key, value, stamp);
    return value;
  }

  /** The moment to pass to `putIfCurrent`: take it before reading the value. */
  stamp(): number {
    return this.clock;
  }

  /** Keeps `value`, read after `stamp`, unless its key changed since in a way it does not reflect. */
  putIfCurrent(key: string, value: V, stamp: number): void {
    if (!this.enabled || stamp < this.forgottenBefore) return;
    const change = this.changes.get(key);
    if (change && change.at > stamp && change.isStale(value)) return;
    // Oldest first out: a Map iterates in insertion order.
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }

  /** `key` changed; its entry goes unless `isStale` says the entry already reflects the change. */
  invalidate(key: string, isStale: IsStale<V> = ALWAYS): void {
    this.clock++;
    if (this.changes.size >= this.maxEntries) this.forget();
    this.changes.set(key, { at: this.clock, isStale });
    const entry = this.entries.get(key);
    if (entry && isStale(entry.value)) this.entries.delete(key);
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
