// A read-through cache that is never wrong for longer than an invalidation takes to arrive.
// Every invalidation bumps an epoch; a value loaded while one happened is returned but not kept,
// so a read that raced a write cannot put the old value back. Off until told the invalidation
// feed is up, and cleared whenever that changes.

export class ReadCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private epoch = 0;
  private enabled = false;

  constructor(
    /** A backstop only: invalidation, not age, is what keeps entries right. */
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  async getOrLoad(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit.value;
    const epoch = this.epoch;
    const value = await load();
    if (value !== undefined && this.enabled && epoch === this.epoch) this.set(key, value);
    return value;
  }

  delete(...keys: string[]): void {
    this.epoch++;
    for (const key of keys) this.entries.delete(key);
  }

  clear(): void {
    this.epoch++;
    this.entries.clear();
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private set(key: string, value: V): void {
    // Oldest first out: a Map iterates in insertion order.
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }
}
