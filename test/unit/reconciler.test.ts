// The reconciler's timer with fakes for the database and the assistants: a tick during a pass joins
// it instead of starting a second one, and stop() returns only once the pass under way has ended.
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { Reconciler } from '../../src/sync/reconciler.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A reconciler over one assistant whose check lasts until `finish()` is called. */
function slowReconciler(intervalMs: number) {
  let finish = () => {};
  const checking = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let claimed = false;
  const repo = {
    syncCutoff: vi.fn(async () => new Date()),
    claimForSync: vi.fn(async () => {
      if (claimed) return [];
      claimed = true;
      return [{ id: 'a1', connectionId: 'c1' }];
    }),
  };
  const assistants = {
    syncInBackground: vi.fn(async () => {
      await checking;
      return 'unchanged' as const;
    }),
  };
  const reconciler = new Reconciler(
    repo,
    assistants,
    { intervalMs, maxCallsPerSecond: 1000 },
    pino({ level: 'silent' }),
  );
  return { reconciler, repo, assistants, finish };
}

describe('Reconciler timer', () => {
  it('a tick during a pass joins it, and stop() waits for that pass to end', async () => {
    const { reconciler, repo, assistants, finish } = slowReconciler(20);
    reconciler.start();
    try {
      await vi.waitFor(() => expect(assistants.syncInBackground).toHaveBeenCalledTimes(1), {
        timeout: 1_000,
      });
      await sleep(100); // several ticks while the check is still under way
      expect(repo.syncCutoff).toHaveBeenCalledTimes(1);

      let stopped = false;
      const stopping = reconciler.stop().then(() => {
        stopped = true;
      });
      await sleep(50);
      expect(stopped).toBe(false);
      finish();
      await stopping;
      expect(stopped).toBe(true);
      // No pass after stop().
      await sleep(100);
      expect(repo.syncCutoff).toHaveBeenCalledTimes(1);
    } finally {
      finish();
      await reconciler.stop();
    }
  });

  it('never starts at an interval of 0', async () => {
    const { reconciler, repo } = slowReconciler(0);
    reconciler.start();
    await sleep(50);
    expect(repo.syncCutoff).not.toHaveBeenCalled();
    await reconciler.stop();
  });
});
