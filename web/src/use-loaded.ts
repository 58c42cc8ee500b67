import { useCallback, useEffect, useState } from 'react';
import { describeError } from './api.ts';

/**
 * Data a page loads on mount, whether the first load has answered (to tell "loading" from
 * "empty"), its error in words, and `act` for a change after which the data is loaded again (or
 * its error shown).
 */
export function useLoaded<T>(load: () => Promise<T>, initial: T) {
  const [data, setData] = useState<T>(initial);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);

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

  return { data, error, loaded, act, reload };
}
