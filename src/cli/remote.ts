// Switchboard's API as the command uses it, through the client generated from /openapi.json. A
// refused key and an unreachable address become CliErrors that say which; other refusals stay
// ApiErrors for the caller to word (a 412 names who changed the assistant, a 400 the file's field).
import {
  ApiError,
  answer,
  createSwitchboardClient,
  type SwitchboardClient,
} from '../../web/src/api/client.ts';
import type {
  Assistant,
  AssistantCreate,
  AssistantPatch,
  AssistantVersion,
  Connection,
  WhoAmI,
} from './api.ts';
import { CliError } from './cli-error.ts';
import type { Credentials } from './credentials.ts';

const PAGE_SIZE = 100;

export interface Confirmed {
  assistant: Assistant;
  etag: string;
}

export class Remote {
  private readonly client: SwitchboardClient;

  constructor(
    readonly url: string,
    apiKey: string,
  ) {
    this.client = createSwitchboardClient({ baseUrl: url, headers: { authorization: `Bearer ${apiKey}` } });
  }

  static from(credentials: Credentials): Remote {
    return new Remote(credentials.url, credentials.apiKey);
  }

  /** Which organization the key acts in; the first call of every command, so it checks the key. */
  async whoAmI(): Promise<WhoAmI> {
    try {
      return (await this.send(this.client.GET('/whoami'))).data;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404)
        throw new CliError(
          `${this.url} does not answer as a Switchboard server (GET /whoami: 404): check SWITCHBOARD_URL`,
        );
      throw error;
    }
  }

  async listAssistants(): Promise<Assistant[]> {
    const all: Assistant[] = [];
    let cursor: string | undefined;
    do {
      const query = cursor ? { limit: PAGE_SIZE, cursor } : { limit: PAGE_SIZE };
      const { data } = await this.send(this.client.GET('/assistants', { params: { query } }));
      all.push(...data.items);
      cursor = data.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }

  async getAssistant(id: string): Promise<Confirmed> {
    return confirmed(await this.send(this.client.GET('/assistants/{id}', { params: { path: { id } } })));
  }

  async createAssistant(body: AssistantCreate): Promise<Confirmed> {
    return confirmed(await this.send(this.client.POST('/assistants', { body })));
  }

  /** A conditional update: the server answers 412 unless the assistant still has `etag`. */
  async updateAssistant(id: string, body: AssistantPatch, etag: string): Promise<Confirmed> {
    const params = { path: { id }, header: { 'if-match': etag } };
    return confirmed(await this.send(this.client.PATCH('/assistants/{id}', { params, body })));
  }

  async deleteAssistant(id: string): Promise<void> {
    await this.send(this.client.DELETE('/assistants/{id}', { params: { path: { id } } }));
  }

  /** The assistant's newest version: who made it and when. */
  async latestVersion(id: string): Promise<AssistantVersion | undefined> {
    const query = { limit: 1 };
    const { data } = await this.send(
      this.client.GET('/assistants/{id}/versions', { params: { path: { id }, query } }),
    );
    return data.items[0];
  }

  async connections(): Promise<Connection[]> {
    return (await this.send(this.client.GET('/connections'))).data;
  }

  private async send<T>(request: Parameters<typeof answer<T>>[0]) {
    try {
      return await answer(request);
    } catch (error) {
      throw this.explain(error);
    }
  }

  private explain(error: unknown): unknown {
    if (!(error instanceof ApiError)) return error;
    if (error.code === 'network')
      return new CliError(
        `Could not reach Switchboard at ${this.url}: check SWITCHBOARD_URL and that the server is running`,
      );
    if (error.status === 401)
      return new CliError(
        `Switchboard at ${this.url} refused the API key (401: ${error.message}): check SWITCHBOARD_API_KEY, or run \`switchboard login\` again`,
      );
    return error;
  }
}

function confirmed({ data, etag }: { data: Assistant; etag: string | null }): Confirmed {
  // The API sends an ETag with every answer that is one assistant; without it no update is safe.
  if (!etag)
    throw new CliError(`The answer for assistant ${data.id} carried no ETag; is this a Switchboard server?`);
  return { assistant: data, etag };
}
