// Questions asked on a terminal: the API key without echo, and apply's confirmation.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** A line typed at the terminal; `secret` hides what is typed. */
export async function ask(question: string, { secret = false } = {}): Promise<string> {
  let muted = false;
  // What readline echoes goes through this stream: the question shows, the typed secret does not.
  const echo = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const reader = createInterface({ input: process.stdin, output: echo, terminal: true });
  try {
    const answer = new Promise<string>((resolve) => reader.question(question, resolve));
    muted = secret;
    return (await answer).trim();
  } finally {
    if (secret) process.stderr.write('\n');
    reader.close();
  }
}

/** Everything piped into stdin, e.g. `printenv KEY | switchboard login`. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}
