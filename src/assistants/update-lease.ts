// Serialises provider writes to one assistant across every Switchboard process sharing the
// database, without holding a transaction while the provider answers: a lease row with an
// expiry. A holder that dies blocks the assistant only until the lease runs out.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AssistantRow } from '../db/schema.ts';
import { conflict } from '../errors.ts';
import type { AssistantRepository, SyncState } from './assistant-repository.ts';

export interface Lease {
  readonly token: string;
  readonly row: AssistantRow;
  /** The sync state to leave behind on release: as it was before the lease, `synced` once the provider's copy is stored. */
  syncStateAfter: SyncState;
  /** Set when the last store under the lease gave it back in the same statement. */
  releasedByStore?: boolean;
}

const POLL_MS = 50;
/** Provider calls a lease must outlast: a drift read and the update. */
const PROVIDER_CALLS_PER_LEASE = 2;
/** Each call's attempts: the first and up to two retries. */
const ATTEMPTS_PER_CALL = 3;
/** Room for the database statements around the calls. */
const MARGIN_MS = 5_000;

export class UpdateLeases {
  /** Wakes waiters in this process as soon as a lease is released here; others poll. */
  private readonly released = new EventEmitter().setMaxListeners(0);

  constructor(
    private readonly repo: AssistantRepository,
    /** Longer than the longest provider exchange a holder can run. */
    readonly lengthMs: number,
    /** How long a request waits for another update of the same assistant before a 409. */
    private readonly waitMs: number,
  ) {}

  /**
   * How long a lease lasts: longer than the longest provider exchange a holder can run, each call
   * with its retries, so a live holder never loses it; a dead one blocks the assistant no longer.
   */
  static lengthFor(providerTimeoutMs: number, retryBudgetMs: number): number {
    return PROVIDER_CALLS_PER_LEASE * (ATTEMPTS_PER_CALL * providerTimeoutMs + retryBudgetMs) + MARGIN_MS;
  }

  /** A lease for a row about to be inserted (a create), held from its first statement. */
  forNewRow(): { token: string; ms: number } {
    return { token: randomUUID(), ms: this.lengthMs };
  }

  async acquire(assistantId: string, waitMs = this.waitMs): Promise<Lease> {
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    for (;;) {
      const acquired = await this.repo.tryAcquireLease(assistantId, token, this.lengthMs);
      if (acquired) return { token, row: acquired.row, syncStateAfter: acquired.previousSyncState };
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw conflict(
          'update_in_progress',
          'Another update of this assistant is still in progress; try again shortly',
          { 'retry-after': '1' },
        );
      }
      await this.nextChance(assistantId, Math.min(remaining, POLL_MS + Math.random() * POLL_MS));
    }
  }

  async release(lease: Lease, syncState: SyncState): Promise<void> {
    if (!lease.releasedByStore) await this.repo.releaseLease(lease.row.id, lease.token, syncState);
    this.released.emit(lease.row.id);
  }

  private nextChance(assistantId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.released.off(assistantId, done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.released.once(assistantId, done);
    });
  }
}
