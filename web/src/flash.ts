// An outcome said on the next page, for an action whose own page is gone (a deleted assistant).
import { useEffect, useState } from 'react';
import type { NoticeText } from './notice.tsx';

let pending: NoticeText | null = null;

/** Says `notice` on the page shown next. */
export function flash(notice: NoticeText): void {
  pending = notice;
}

/** The notice left for this page, said once. */
export function useFlash(): NoticeText | null {
  const [notice] = useState(() => pending);
  useEffect(() => {
    pending = null;
  }, []);
  return notice;
}
