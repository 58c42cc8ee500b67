// The API's shapes the command uses, all taken from the client generated from /openapi.json, so a
// change to the API that breaks the command fails the type check.
import type { RequestBody, ResponseBody } from '../../web/src/api/client.ts';

/** An assistant as the list answers it (without the provider's whole object, which the command never needs). */
export type Assistant = ResponseBody<'/assistants', 'get'>['items'][number];
export type AssistantCreate = RequestBody<'/assistants', 'post'>;
export type AssistantPatch = RequestBody<'/assistants/{id}', 'patch'>;
export type AssistantVersion = ResponseBody<'/assistants/{id}/versions', 'get'>['items'][number];
export type Connection = ResponseBody<'/connections', 'get'>[number];
export type WhoAmI = ResponseBody<'/whoami', 'get'>;
