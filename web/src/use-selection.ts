import { useCallback, useState } from 'react';

/**
 * Rows chosen in a list for a bulk change: some by id, or every row a search matches
 * (`matching`), which reaches past the rows the page has loaded. Its functions stay the same
 * from render to render.
 */
export function useSelection() {
  const [ids, setIds] = useState<ReadonlySet<string>>(new Set());
  const [matching, setMatching] = useState(false);

  const toggle = useCallback((id: string, on: boolean) => {
    setIds((previous) => {
      const next = new Set(previous);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
    setMatching(false);
  }, []);
  /** Selects these (a page's rows) or, with `on` false, none. */
  const setAll = useCallback((all: readonly string[], on: boolean) => {
    setIds(new Set(on ? all : []));
    setMatching(false);
  }, []);
  const selectMatching = useCallback(() => setMatching(true), []);
  const clear = useCallback(() => {
    setIds(new Set());
    setMatching(false);
  }, []);

  return { ids, matching, toggle, setAll, selectMatching, clear, any: matching || ids.size > 0 };
}
