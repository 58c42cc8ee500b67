// The provider's dotted field paths (`model.messages`, `voice.voiceId`) in the words the form uses,
// so history, diffs and the audit log speak as the page does. Pure: no React, no API calls.

/** Paths people edit in the form, by the form's own labels. */
const FIELD_WORDS: Readonly<Record<string, string>> = {
  name: 'Name',
  firstMessage: 'First message',
  model: 'Model settings',
  'model.provider': 'Model provider',
  'model.model': 'Model',
  'model.temperature': 'Temperature',
  'model.maxTokens': 'Max tokens',
  'model.messages': 'System prompt',
  'model.systemPrompt': 'System prompt',
  voice: 'Voice settings',
  'voice.provider': 'Voice provider',
  'voice.voiceId': 'Voice',
  transcriber: 'Transcriber',
  'transcriber.provider': 'Transcriber',
  'transcriber.model': 'Transcriber model',
  'transcriber.language': 'Transcriber language',
  firstMessageMode: 'Who speaks first',
  endCallMessage: 'End-of-call message',
  voicemailMessage: 'Voicemail message',
  'model.tools': 'Tools',
  'model.toolIds': 'Tools',
  serverUrl: 'Server URL',
  server: 'Server',
  metadata: 'Metadata',
};

/** The first part of a path no table names: "Model", "Voice" … as the form's sections call them. */
const SECTION_WORDS: Readonly<Record<string, string>> = {
  model: 'Model',
  voice: 'Voice',
  transcriber: 'Transcriber',
  metadata: 'Metadata',
  server: 'Server',
};

/** `maxDurationSeconds` → "max duration seconds". */
const spaced = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** One path in words: the form's label where it has one, else its parts spelled out ("Voice: speed"). */
export function fieldWords(path: string): string {
  const known = FIELD_WORDS[path];
  if (known) return known;
  const [first = path, ...rest] = path.split('.');
  if (rest.length === 0) return capitalized(spaced(first));
  const section =
    FIELD_WORDS[first] && SECTION_WORDS[first] ? SECTION_WORDS[first] : capitalized(spaced(first));
  return `${section}: ${rest.map(spaced).join(' › ')}`;
}

/** Several paths in words, each named once, in the order given ("System prompt, Temperature"). */
export function changesInWords(paths: readonly string[]): string {
  return [...new Set(paths.map(fieldWords))].join(', ');
}
