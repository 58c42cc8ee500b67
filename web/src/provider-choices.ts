// What the assistant form may offer, from GET /providers. The catalog changes only with a new
// server release, so it is loaded once per page load and shared by every form.
import { useEffect, useState } from 'react';
import { answer, api, describeError, type ProviderChoices } from './api.ts';

let catalog: Promise<ProviderChoices[]> | undefined;

function loadCatalog(): Promise<ProviderChoices[]> {
  catalog ??= answer(api.GET('/providers')).then(
    ({ data }) => data.items,
    (error: unknown) => {
      catalog = undefined; // the next form asks again
      throw error;
    },
  );
  return catalog;
}

export interface ChoicesState {
  /** For the connection's kind; undefined while loading, when it failed, or for a kind without choices. */
  choices: ProviderChoices | undefined;
  /** Loading has finished, one way or the other: without choices, the form takes typed names. */
  settled: boolean;
  error: string | null;
}

/** The choices for assistants on a `kind` connection; the first kind's until the connection is known. */
export function useProviderChoices(kind: string | undefined): ChoicesState {
  const [items, setItems] = useState<ProviderChoices[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    loadCatalog().then(
      (loaded) => current && setItems(loaded),
      (e: unknown) => current && setError(describeError(e)),
    );
    return () => {
      current = false;
    };
  }, []);

  const choices = items ? (kind ? items.find((c) => c.provider === kind) : items[0]) : undefined;
  return { choices, settled: items !== null || error !== null, error };
}
