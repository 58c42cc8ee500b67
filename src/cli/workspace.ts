// The folder of assistant files: every `<slug>.yaml` in DIR, all read and checked before anything
// is sent, so one broken file stops the run with its line and sends nothing.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidFileError, type ParsedAssistantFile, parseAssistantFile } from './assistant-file.ts';
import { CliError } from './cli-error.ts';
import { isSlug, slugOf } from './slug.ts';

export const FILE_EXTENSION = '.yaml';

export interface AssistantFile extends ParsedAssistantFile {
  slug: string;
  /** The file's name, e.g. `support-bot.yaml`, as messages name it. */
  fileName: string;
}

export const fileNameOf = (slug: string) => `${slug}${FILE_EXTENSION}`;

export function requireDirectory(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${dir} is not a folder`);
}

/** Every assistant file in `dir`, in name order; a CliError listing every problem of every file. */
export function readAssistantFiles(dir: string): AssistantFile[] {
  requireDirectory(dir);
  const files: AssistantFile[] = [];
  const problems: string[] = [];
  for (const fileName of readdirSync(dir)
    .filter((name) => name.endsWith(FILE_EXTENSION))
    .sort()) {
    const slug = fileName.slice(0, -FILE_EXTENSION.length);
    if (!isSlug(slug)) {
      problems.push(
        `${fileName}: the file name must be a slug (lower-case letters, digits and -), e.g. ${fileNameOf(slugOf(slug) || 'assistant')}`,
      );
      continue;
    }
    try {
      files.push({
        ...parseAssistantFile(readFileSync(join(dir, fileName), 'utf8'), fileName),
        slug,
        fileName,
      });
    } catch (error) {
      if (!(error instanceof InvalidFileError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0)
    throw new CliError(`${problems.join('\n')}\nNothing was sent: fix the file and run again.`);
  return files;
}
