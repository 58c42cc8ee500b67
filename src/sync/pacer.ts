// Paces provider calls per connection: each connection's calls start at most `callsPerSecond`
// apart, and a 429 from one provider account pushes back only that connection's next call.
export class ConnectionPacer {
  /** When each connection's next call may start (ms since the epoch). */
  private readonly nextAt = new Map<string, number>();
  /** Consecutive 429s per connection, for the backoff when no Retry-After came. */
  private readonly strikes = new Map<string, number>();

  constructor(private readonly callsPerSecond: number) {}

  /** Waits for the connection's turn and takes it. */
  async turn(connectionId: string): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextAt.get(connectionId) ?? 0);
    this.nextAt.set(connectionId, at + 1000 / this.callsPerSecond);
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }

  /** The provider said "too many": wait `retryAfterMs` (or back off, doubling) before the next call. */
  slowDown(connectionId: string, retryAfterMs?: number): void {
    const strikes = (this.strikes.get(connectionId) ?? 0) + 1;
    this.strikes.set(connectionId, strikes);
    const wait = retryAfterMs ?? Math.min(60_000, 1000 * 2 ** (strikes - 1));
    this.nextAt.set(connectionId, Math.max(this.nextAt.get(connectionId) ?? 0, Date.now() + wait));
  }

  /** A call went through: the backoff starts over. */
  succeeded(connectionId: string): void {
    this.strikes.delete(connectionId);
  }
}
