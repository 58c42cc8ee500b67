import { useEffect, useState } from 'react';
import { answer, api } from './api.ts';

/** Names already asked for, by assistant id, for every page of this load. */
const known = new Map<string, Promise<string | null>>();

const nameOf = (id: string) => {
  let name = known.get(id);
  if (!name) {
    name = answer(api.GET('/assistants/{id}', { params: { path: { id } } })).then(
      ({ data }) => data.name ?? '(unnamed)',
      () => null, // deleted since, or not readable: said without a name
    );
    known.set(id, name);
  }
  return name;
};

/** Each assistant's name by id, as they arrive; ids whose name is not known yet are absent. */
export function useAssistantNames(ids: readonly string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const key = [...new Set(ids)].sort().join(',');
  useEffect(() => {
    let current = true;
    const wanted = key ? key.split(',') : [];
    void Promise.all(wanted.map(async (id) => [id, await nameOf(id)] as const)).then((pairs) => {
      if (!current) return;
      const found: Record<string, string> = {};
      for (const [id, name] of pairs) if (name) found[id] = name;
      setNames(found);
    });
    return () => {
      current = false;
    };
  }, [key]);
  return names;
}
