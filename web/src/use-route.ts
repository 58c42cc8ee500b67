import { useEffect, useState } from 'react';

/** Hash routes (`#/assistants/…`), so the server serves one page and the API keeps its paths. */
export function useRoute(): string {
  const [route, setRoute] = useState(() => window.location.hash.slice(1) || '/assistants');
  useEffect(() => {
    const onChange = () => setRoute(window.location.hash.slice(1) || '/assistants');
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function navigate(route: string): void {
  window.location.hash = route;
}
