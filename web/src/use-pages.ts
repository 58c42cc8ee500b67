import { useCallback, useRef, useState } from 'react';
import { describeError } from './api.ts';

/** One page of a list and where the next one starts (null on the last page). */
export interface Page<T, C> {
  items: T[];
  next: C | null;
}

/**
 * A list read page by page ("Load more"): what is shown so far, where the next page starts,
 * whether a page is loading, and the last failure in words. `load(null)` starts again from the
 * first page (a new search, a new version); `loadMore()` appends the next. When loads overlap, only
 * the last one asked for is shown, so a slow answer to an older search never replaces a newer one.
 */
export function usePages<T, C>(fetchPage: (cursor: C | null) => Promise<Page<T, C>>) {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<C | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);

  const load = useCallback(
    async (cursor: C | null) => {
      const ticket = ++latest.current;
      setLoading(true);
      setError(null);
      try {
        const page = await fetchPage(cursor);
        if (ticket !== latest.current) return;
        setItems((shown) => (cursor === null ? page.items : [...shown, ...page.items]));
        setNext(page.next);
      } catch (e) {
        if (ticket === latest.current) setError(describeError(e));
      } finally {
        if (ticket === latest.current) setLoading(false);
      }
    },
    [fetchPage],
  );

  const loadMore = () => (next === null ? Promise.resolve() : load(next));

  return { items, next, loading, error, setError, load, loadMore };
}
