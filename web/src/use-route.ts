import { useEffect, useState } from 'react';

/**
 * What a page with unsaved changes says when someone tries to leave it: given the way on
 * (`proceed`), it asks the user and calls `proceed` only if they agree to discard their edits.
 */
export type LeaveGuard = (proceed: () => void) => void;

let leaveGuard: LeaveGuard | null = null;

/** Set by the page that has unsaved changes; null again once it has none. */
export function setLeaveGuard(guard: LeaveGuard | null): void {
  leaveGuard = guard;
}

/**
 * Runs `go` now, or, while a page has unsaved changes, once the user agrees to leave them: for
 * every in-app way out (links, the organization switcher, signing out).
 */
export function leaveThen(go: () => void): void {
  if (leaveGuard) leaveGuard(go);
  else go();
}

const routeOf = (hash: string) => hash.slice(1) || '/assistants';

/** Hash routes (`#/assistants/…`), so the server serves one page and the API keeps its paths. */
export function useRoute(): string {
  const [route, setRoute] = useState(() => routeOf(window.location.hash));
  useEffect(() => {
    let shown = routeOf(window.location.hash);
    const onChange = () => {
      const next = routeOf(window.location.hash);
      if (next === shown) return;
      if (leaveGuard) {
        // Back or forward while editing: stay on the page, and ask.
        window.history.replaceState(null, '', `#${shown}`);
        leaveThen(() => navigate(next));
        return;
      }
      shown = next;
      setRoute(next);
    };
    // A click on an in-app link asks first, before the address changes.
    const onClick = (event: MouseEvent) => {
      if (!leaveGuard || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = (event.target as Element | null)?.closest?.('a[href^="#/"]');
      if (!link) return;
      event.preventDefault();
      const target = (link.getAttribute('href') ?? '#/').slice(1);
      leaveThen(() => navigate(target));
    };
    window.addEventListener('hashchange', onChange);
    document.addEventListener('click', onClick);
    return () => {
      window.removeEventListener('hashchange', onChange);
      document.removeEventListener('click', onClick);
    };
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
