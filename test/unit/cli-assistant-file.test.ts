import { describe, expect, it } from 'vitest';
import {
  InvalidFileError,
  parseAssistantFile,
  renderAssistantFile,
  rewriteAssistantFile,
} from '../../src/cli/assistant-file.ts';
import type { FieldValues } from '../../src/cli/fields.ts';

const values: FieldValues = {
  name: 'Support Bot',
  firstMessage: 'Hello!',
  'model.provider': 'openai',
  'model.model': 'gpt-4o',
  'model.temperature': 0.7,
  'model.systemPrompt': 'You are kind.\nBe brief.\n',
  'voice.provider': 'openai',
  'voice.voiceId': '123',
};

function problemsOf(text: string): string[] {
  try {
    parseAssistantFile(text, 'bot.yaml');
  } catch (error) {
    if (error instanceof InvalidFileError) return error.message.split('\n');
    throw error;
  }
  return [];
}

describe('a new file', () => {
  it('reads back as the same values, the prompt as a literal block', () => {
    const text = renderAssistantFile(values);
    expect(text).toContain('  systemPrompt: |\n    You are kind.\n    Be brief.\n');
    // A text that looks like a number stays text.
    expect(text).toContain('voiceId: "123"');
    expect(parseAssistantFile(text, 'bot.yaml').values).toEqual(values);
  });
});

describe('rewriting a file', () => {
  const edited = `# Owned by the support team
name: Support Bot # shown in the dashboard
firstMessage: Hello!
model:
  provider: openai
  model: gpt-4o
  # lower is calmer
  temperature: 0.7
  systemPrompt: |
    You are kind.
    Be brief.
voice:
  provider: openai
  voiceId: "123"
`;

  it('changes only the changed values and keeps every comment', () => {
    const parsed = parseAssistantFile(edited, 'bot.yaml');
    const next = {
      ...parsed.values,
      'model.temperature': 0.2,
      'model.systemPrompt': 'You are kind.\nBe briefer.\n',
    };
    delete next.firstMessage;
    const text = rewriteAssistantFile(parsed.document, parsed.values, next);
    expect(text).toBe(
      edited
        .replace('temperature: 0.7', 'temperature: 0.2')
        .replace('Be brief.', 'Be briefer.')
        .replace('firstMessage: Hello!\n', ''),
    );
    expect(parseAssistantFile(text, 'bot.yaml').values).toEqual(next);
  });

  it('adds a new group and removes an emptied one', () => {
    const parsed = parseAssistantFile(edited, 'bot.yaml');
    const withTranscriber = rewriteAssistantFile(parsed.document, parsed.values, {
      ...parsed.values,
      'transcriber.provider': 'deepgram',
    });
    expect(withTranscriber).toContain('transcriber:\n  provider: deepgram\n');
    const again = parseAssistantFile(withTranscriber, 'bot.yaml');
    const { 'transcriber.provider': _, ...without } = again.values;
    expect(rewriteAssistantFile(again.document, again.values, without)).toBe(edited);
  });

  it('knows the line of each field', () => {
    expect(parseAssistantFile(edited, 'bot.yaml').lines).toMatchObject({ name: 2, 'model.temperature': 8 });
  });
});

describe('a broken file', () => {
  it('YAML that does not parse: the file, the line and the parser’s problem', () => {
    const [problem] = problemsOf('name: Bot\nmodel:\n  provider: openai\n  model: [gpt-4o\nvoice: {}\n');
    expect(problem).toMatch(/^bot\.yaml:[45]: \S/);
  });

  it('a duplicate key is a problem, not a silent last-one-wins', () => {
    expect(problemsOf('name: A\nname: B\n')[0]).toMatch(/^bot\.yaml:2: .*unique/i);
  });

  it('every problem of the fields, each at its line', () => {
    expect(
      problemsOf(`name: 42
model:
  provider: openai
  temprature: 0.5
  maxTokens: many
voice: alloy
colour: blue
`),
    ).toEqual([
      'bot.yaml:1: name must be text (put it in quotes)',
      'bot.yaml:4: model.temprature is not a field an assistant file has (known here: provider, model, temperature, maxTokens, systemPrompt)',
      'bot.yaml:5: model.maxTokens must be a number',
      'bot.yaml:6: voice must be a mapping of fields',
      'bot.yaml:7: colour is not a field an assistant file has (known here: name, firstMessage, model, voice, transcriber)',
      'bot.yaml:2: model.model is required',
      'bot.yaml:6: voice.provider is required',
      'bot.yaml:6: voice.voiceId is required',
    ]);
  });

  it('an empty file, and a transcriber without its provider', () => {
    expect(problemsOf('')).toEqual([
      'bot.yaml:1: is empty; an assistant needs name, model.provider, model.model, voice.provider, voice.voiceId',
    ]);
    const text = renderAssistantFile(values);
    expect(problemsOf(`${text}transcriber:\n  model: nova-3\n`)).toEqual([
      'bot.yaml:13: transcriber.provider is required',
    ]);
  });
});
