import { useState } from 'react';
import { describeError, fieldProblemsOf } from './api.ts';
import type { NoticeText } from './notice.tsx';

/**
 * A form's one request: `busy` while it runs, then its outcome in `notice` (the words `action`
 * returns, or the error's), and a 400's problems by field in `fields`. `handled` takes an error
 * first when the form has its own words for it (returning true).
 */
export function useSubmission() {
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<NoticeText | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  const submit = async (action: () => Promise<string | null>, handled?: (error: unknown) => boolean) => {
    setBusy(true);
    setNotice(null);
    setFields({});
    try {
      const done = await action();
      if (done) setNotice({ kind: 'ok', text: done });
    } catch (e) {
      if (handled?.(e)) return;
      setNotice({ kind: 'error', text: describeError(e) });
      setFields(fieldProblemsOf(e));
    } finally {
      setBusy(false);
    }
  };

  return { busy, notice, fields, submit };
}
