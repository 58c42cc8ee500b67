import { useEffect, useRef, useState } from 'react';
import { Notice, type NoticeText } from './notice.tsx';

/**
 * A read-only value to copy (a secret, a link), with a Copy button that says whether it worked;
 * where the browser refuses the clipboard, the value is selected for the keyboard's copy instead.
 * `focus` moves the keyboard to it as it appears, with the value selected.
 */
export function CopyField({
  id,
  label,
  value,
  focus = false,
}: {
  id: string;
  label: string;
  value: string;
  focus?: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [notice, setNotice] = useState<NoticeText | null>(null);
  useEffect(() => {
    if (focus) input.current?.focus();
  }, [focus]);

  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      setNotice({ kind: 'ok', text: 'Copied.' });
    } catch {
      input.current?.focus();
      input.current?.select();
      setNotice({
        kind: 'error',
        text: 'The browser did not allow copying. The text is selected: press Ctrl+C (⌘C on a Mac).',
      });
    }
  };

  return (
    <div className="copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input
          id={id}
          ref={input}
          readOnly
          spellCheck={false}
          value={value}
          onFocus={(e) => e.target.select()}
        />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <Notice notice={notice} />
    </div>
  );
}
