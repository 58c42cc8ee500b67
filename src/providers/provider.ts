// The one interface every voice platform implements for the assistants service, which names no
// provider. Each provider's client, catalog and emulator live in src/providers/<name>/.
import type { FieldProblem } from '../errors.ts';

/** A provider's configuration of one assistant as stored: its whole object, unknown fields included. */
export type ProviderConfig = Record<string, unknown>;

/** A provider's whole assistant object, unknown fields included. */
export type ProviderAssistant = Record<string, unknown> & { id: string };

/** What Switchboard writes into the provider's copy of an assistant it creates, to find it again. */
export interface CreateMark {
  readonly orgId: string;
  readonly assistantId: string;
}

export interface AssistantProvider {
  /**
   * Never repeated: a repeated create could leave two assistants at the provider. `config` is the
   * native configuration (`ProviderFieldMap.newConfig`).
   */
  create(config: Record<string, unknown>, mark: CreateMark): Promise<ProviderAssistant>;
  /**
   * The provider's current copy. `stored` is the copy Switchboard holds: a client whose assistant
   * spans several objects may read them side by side, guided by it, instead of one after another.
   */
  get(providerId: string, stored?: Record<string, unknown>): Promise<ProviderAssistant>;
  /**
   * Sends native changes (`ProviderFieldMap.changes` or `restoreChanges`): Vapi's are complete
   * top-level values, each replaced whole; Retell's are `{agent?, llm?}`, each object's touched keys.
   * `current` is the copy the caller read from the provider just before, under the assistant's
   * lease: a client may take what the changes leave untouched from it instead of reading it again.
   */
  update(
    providerId: string,
    changes: Record<string, unknown>,
    current?: Record<string, unknown>,
  ): Promise<ProviderAssistant>;
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

/** Section 4's request fields, every one optional; providers are plain strings, each provider checks its own. */
export interface SwitchboardPatch {
  name?: string;
  firstMessage?: string | null;
  model?: {
    provider?: string;
    model?: string;
    temperature?: number | null;
    maxTokens?: number | null;
    systemPrompt?: string | null;
  };
  voice?: { provider?: string; voiceId?: string };
  transcriber?: { provider?: string; model?: string | null } | null;
}

/** Section 4's fields as a provider's assistant shows them. */
export interface SwitchboardFields {
  name: string | null;
  firstMessage: string | null;
  /** Null when the assistant has none (a Vapi assistant may lack one). */
  model: {
    provider: string | null;
    model: string | null;
    temperature: number | null;
    maxTokens: number | null;
    systemPrompt: string | null;
  } | null;
  voice: { provider: string | null; voiceId: string | null } | null;
  transcriber: { provider: string | null; model: string | null } | null;
}

/**
 * How one provider's native assistant holds Switchboard's fields: what lets the PATCH path read
 * the same for every provider (validate → changes → `update` → store). Pure; no calls.
 */
export interface ProviderFieldMap {
  /** Every problem with a request, before any call, each naming the field and the provider. */
  problems(current: ProviderConfig | undefined, patch: SwitchboardPatch): FieldProblem[];
  /** The native changes a request makes, as `AssistantProvider.update` takes them; `{}` when none. */
  changes(current: ProviderConfig, patch: SwitchboardPatch): Record<string, unknown>;
  /** The native configuration `AssistantProvider.create` takes. */
  newConfig(fields: SwitchboardPatch): Record<string, unknown>;
  /** Section 4's fields as the native assistant shows them (an API answer). */
  fieldsOf(assistant: Record<string, unknown>): SwitchboardFields;
  /** What the assistant would be once `changes` are applied (a preview; the provider's answer is what is stored). */
  applyChanges(current: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown>;
  /** The native changes that make `current` equal `target` again (a restore). */
  restoreChanges(current: Record<string, unknown>, target: Record<string, unknown>): Record<string, unknown>;
  /** The assistant without what the provider sets itself: what versions are compared on. */
  comparable(assistant: Record<string, unknown>): Record<string, unknown>;
  /** Switchboard's fields the provider has no place for. */
  readonly unheldFields: readonly string[];
}
