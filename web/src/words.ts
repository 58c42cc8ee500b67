// Small pieces of wording that more than one page uses.
import type { Role } from './api.ts';

/** What each role may do, in words for someone deciding whether to accept or grant it. */
export const ROLE_WORDS: Record<Role, string> = {
  viewer: 'can see assistants and their history',
  editor: 'can create and change assistants',
  admin: 'can also delete assistants and manage members, connections and API keys',
  owner: 'has full control of the organization, including its owners',
};

/** "a viewer", "an editor". */
export const withArticle = (role: Role) => `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;

/** "3 assistants", "1 assistant". */
export const assistantsWords = (n: number) => `${n} assistant${n === 1 ? '' : 's'}`;

export const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A message as a sentence: the server's messages end without a full stop. */
export const sentence = (text: string) => (/[.!?…]$/.test(text.trim()) ? text : `${text.trim()}.`);

/** The companies behind provider ids, as they write their names; unknown ids as they are. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  google: 'Google',
  groq: 'Groq',
  'azure-openai': 'Azure OpenAI',
  '11labs': 'ElevenLabs',
  azure: 'Azure',
  cartesia: 'Cartesia',
  deepgram: 'Deepgram',
  playht: 'PlayHT',
  'rime-ai': 'Rime',
  lmnt: 'LMNT',
  neets: 'Neets',
  vapi: 'Vapi',
  assemblyai: 'AssemblyAI',
  gladia: 'Gladia',
  speechmatics: 'Speechmatics',
  talkscriber: 'Talkscriber',
  hume: 'Hume',
  inworld: 'Inworld',
  minimax: 'MiniMax',
  'smallest-ai': 'Smallest AI',
  tavus: 'Tavus',
  'custom-voice': 'Custom voice',
  'custom-llm': 'Custom LLM',
  'custom-transcriber': 'Custom transcriber',
};

/** "ElevenLabs" for `11labs`: a provider id as people know the company. */
export const providerName = (id: string) => PROVIDER_NAMES[id] ?? id;
