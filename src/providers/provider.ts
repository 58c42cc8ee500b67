// The one interface every voice platform implements for the assistants service, which names no
// provider. Each provider's client, catalog and emulator live in src/providers/<name>/.

/** A provider's whole assistant object, unknown fields included. */
export type ProviderAssistant = Record<string, unknown> & { id: string };

/** What Switchboard writes into the provider's copy of an assistant it creates, to find it again. */
export interface CreateMark {
  readonly orgId: string;
  readonly assistantId: string;
}

export interface AssistantProvider {
  /** Never repeated: a repeated create could leave two assistants at the provider. */
  create(config: Record<string, unknown>, mark: CreateMark): Promise<ProviderAssistant>;
  get(providerId: string): Promise<ProviderAssistant>;
  /** Sends complete top-level values; the platform replaces each key it receives. */
  update(providerId: string, changes: Record<string, unknown>): Promise<ProviderAssistant>;
  /** Deleting an assistant the platform no longer has counts as done. */
  delete(providerId: string): Promise<void>;
  /**
   * Every assistant the account holds, reading page after page; `beforePage` runs before each
   * page is asked for (a job waits there for its connection's pace).
   */
  listAll(beforePage?: () => Promise<void>): Promise<ProviderAssistant[]>;
  /**
   * The assistant a create marked with `mark`, when the create's outcome was unknown (a timeout,
   * a 5xx, a crash); `since` is a time before the create was sent.
   */
  findCreated(mark: CreateMark, since: Date): Promise<ProviderAssistant | undefined>;
  /** One cheap read that proves the key works; the account it reached, when the provider shows it. */
  checkKey(): Promise<{ accountId: string | null }>;
  /** The mark Switchboard left on a provider assistant, if any. */
  markOf(assistant: ProviderAssistant): CreateMark | undefined;
  /** The provider account an assistant lives in, when the provider shows it. */
  accountOf(assistant: ProviderAssistant): string | null;
}
