import { type ReactNode, useEffect, useRef } from 'react';

/**
 * A page's heading: it names the browser tab too ("Members · Switchboard"), and takes the
 * keyboard when the page opens, so a screen reader says where the user is and Tab starts here.
 */
export function PageTitle({ title, children }: { title: string; children?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Switchboard`;
  }, [title]);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={heading} tabIndex={-1} className="page-title">
      {children ?? title}
    </h1>
  );
}

/** The tab's title for pages that show no heading yet (loading, signed out). */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Switchboard`;
  }, [title]);
}
