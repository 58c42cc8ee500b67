// How the Connections page runs an admin action and says how it went, next to where it was asked for.
import type { NoticeText } from './notice.tsx';

/** Where an outcome is said: a connection's id, the add form, or the top of the page. */
export const AT_PAGE = 'page';
export const AT_ADD_FORM = 'add';

export interface Feedback extends NoticeText {
  at: string;
  /** A 400's problems by request field, shown next to their inputs. */
  fields?: Record<string, string>;
}

/** What an action reports when it worked; `at` moves it elsewhere (a removed connection's card is gone). */
export interface Done {
  text: string;
  kind?: NoticeText['kind'];
  at?: string;
}

/** Runs an action for one place on the page; true when it worked. */
export type Perform = (at: string, action: () => Promise<Done>) => Promise<boolean>;
