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

/** A page that a link sent to someone opens, outside the signed-in dashboard. */
export type LinkPage = { page: 'invitation' | 'reset-password'; token: string };

const LINK_PAGES = { invitations: 'invitation', 'reset-password': 'reset-password' } as const;

/**
 * Which link page a URL is: by path, as the links are made (`/invitations/<token>`,
 * `/reset-password/<token>`), or by hash (`#/invitations/<token>`) where only `/` is served.
 */
export function linkPageOf(location: Pick<Location, 'pathname' | 'hash'>): LinkPage | null {
  for (const candidate of [location.pathname, location.hash.slice(1)]) {
    const match = /^\/(invitations|reset-password)\/([^/?#]+)\/?$/.exec(candidate);
    if (match?.[1] && match[2])
      return {
        page: LINK_PAGES[match[1] as keyof typeof LINK_PAGES],
        token: decodeURIComponent(match[2]),
      };
  }
  return null;
}
