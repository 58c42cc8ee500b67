// Unsaved edits are never lost without a word: while a form has them, closing or reloading the tab
// makes the browser ask (`beforeunload`), and every in-app way out asks the page first.
import { useEffect, useRef, useState } from 'react';
import { type LeaveGuard, setLeaveGuard } from './use-route.ts';

/** While `dirty`, leaving asks: `ask` shows the page's question and calls `proceed` if the user agrees. */
export function useUnsavedChangesGuard(dirty: boolean, ask: LeaveGuard): void {
  const latestAsk = useRef(ask);
  latestAsk.current = ask;
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers show the dialog only when a value is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    setLeaveGuard((proceed) => latestAsk.current(proceed));
    return () => {
      window.removeEventListener('beforeunload', warn);
      setLeaveGuard(null);
    };
  }, [dirty]);
}

/** Leaves now, the edits given up: the guard is lifted first, so the way out is not asked again. */
export function discardAndLeave(proceed: () => void): void {
  setLeaveGuard(null);
  proceed();
}

/**
 * The question a form with unsaved changes asks when someone leaves: `asking` while it is shown,
 * `leave` goes on the way they were going (the edits given up), `stay` keeps them.
 */
export function useLeaveQuestion(dirty: boolean) {
  const [proceed, setProceed] = useState<(() => void) | null>(null);
  useUnsavedChangesGuard(dirty, (next) => setProceed(() => next));
  return {
    asking: proceed !== null,
    stay: () => setProceed(null),
    leave: () => {
      setProceed(null);
      if (proceed) discardAndLeave(proceed);
    },
  };
}
