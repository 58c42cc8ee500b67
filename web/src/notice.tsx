import { useEffect, useRef } from 'react';

export interface NoticeText {
  kind: 'ok' | 'error';
  text: string;
}

/**
 * The outcome of an action in words: an error is an alert, a success a status. `focus` moves the
 * keyboard here, for when the control that was used has gone (a removed row).
 */
export function Notice({ notice, focus = false }: { notice: NoticeText | null; focus?: boolean }) {
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (notice && focus) ref.current?.focus();
  }, [notice, focus]);
  if (!notice) return null;
  return (
    <p
      ref={ref}
      tabIndex={focus ? -1 : undefined}
      role={notice.kind === 'error' ? 'alert' : 'status'}
      className={notice.kind === 'error' ? 'error' : 'ok'}
    >
      {notice.text}
    </p>
  );
}
