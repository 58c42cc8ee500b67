import { useCallback, useEffect, useState } from 'react';
import { describeError } from './api.ts';
import type { NoticeText } from './notice.tsx';

/**
 * Data a page loads on mount, whether the first load has answered (to tell "loading" from
 * "empty"), its error in words, and `act` for a change after which the data is loaded again (or
 * its error shown). `perform` is `act` that also says how it went, in `notice`.
 */
export function useLoaded<T>(load: () => Promise<T>, initial: T) {
  const [data, setData] = useState<T>(initial);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [notice, setNotice] = useState<NoticeText | null>(null);

  const reload = useCallback(async () => {
    try {
      setData(await load());
      setLoaded(true);
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  }, [load]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const act = async (action: () => Promise<unknown>): Promise<boolean> => {
    setError(null);
    try {
      await action();
      await reload();
      return true;
    } catch (e) {
      setError(describeError(e));
      return false;
    }
  };

  /** Runs `action`, loads the data again, and says `done` in `notice` (or the error in words). */
  const perform = async (action: () => Promise<unknown>, done: string): Promise<boolean> => {
    setNotice(null);
    try {
      await action();
    } catch (e) {
      setNotice({ kind: 'error', text: describeError(e) });
      return false;
    }
    await reload();
    setNotice({ kind: 'ok', text: done });
    return true;
  };

  return { data, error, loaded, act, perform, notice, setNotice, reload };
}
