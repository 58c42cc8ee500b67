// PostgreSQL cannot store the NUL character in text or jsonb. A request carrying one anywhere
// (path, query or body) is refused up front, naming the field, instead of failing after the
// provider already accepted it.
import type { FastifyInstance } from 'fastify';
import { type FieldProblem, validationError } from '../errors.ts';
import { isPlainObject } from '../shared/objects.ts';

export function registerNulGuard(app: FastifyInstance): void {
  // Callback-style: it runs on every request, and an async hook costs a promise each.
  app.addHook('preValidation', (request, _reply, done) => {
    const problems = [
      ...findNul(request.params, ''),
      ...findNul(request.query, ''),
      ...findNul(request.body, ''),
    ];
    done(problems.length > 0 ? validationError(problems) : undefined);
  });
}

/** Walks with an explicit stack, so a deeply nested body cannot overflow the call stack. */
function findNul(root: unknown, rootPath: string): FieldProblem[] {
  const message = 'must not contain the NUL character (\\u0000)';
  const problems: FieldProblem[] = [];
  const stack: Array<[unknown, string]> = [[root, rootPath]];
  while (stack.length > 0) {
    const [value, path] = stack.pop() as [unknown, string];
    const child = (key: string) => (path ? `${path}.${key}` : key);
    if (typeof value === 'string') {
      if (value.includes('\u0000')) problems.push({ field: path || 'body', message });
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) stack.push([item, child(String(i))]);
    } else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000'))
          problems.push({ field: child(key.replaceAll('\u0000', '\\u0000')), message });
        else stack.push([item, child(key)]);
      }
    }
  }
  return problems.reverse();
}
