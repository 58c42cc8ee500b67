// Request validation with Ajv: every problem listed, unknown fields kept (and so rejected by
// `additionalProperties: false`), and no type coercion in bodies, so "0.5" is not a number.
// Query strings and path parameters arrive as text, so only they are coerced.
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldProblem } from '../errors.ts';

function newAjv(coerceTypes: boolean) {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
  });
  addFormats.default(ajv);
  return ajv;
}

export function createValidatorCompiler(): FastifySchemaCompiler<object> {
  const strict = newAjv(false);
  const coercing = newAjv(true);
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema);
}

/** Turns Ajv's errors into one problem per field, worded for people. */
export function describeValidationErrors(errors: readonly ErrorObject[], data: unknown): FieldProblem[] {
  const problems = new Map<string, FieldProblem>();
  for (const error of errors) {
    const base = error.instancePath.split('/').filter(Boolean).join('.');
    const problem = describe(error, base, valueAt(data, error.instancePath));
    if (problem) problems.set(`${problem.field}|${problem.message}`, problem);
  }
  return [...problems.values()];
}

function describe(error: ErrorObject, field: string, value: unknown): FieldProblem | undefined {
  const join = (name: string) => (field ? `${field}.${name}` : name);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { field: join(String(params.additionalProperty)), message: 'is not a known field' };
    case 'required':
      return { field: join(String(params.missingProperty)), message: 'is required' };
    case 'type':
      if (value === null) return { field, message: 'cannot be null' };
      return { field, message: `must be ${String(params.type).replace(',null', '').replace(',', ' or ')}` };
    case 'enum':
      return {
        field,
        message: `must be one of ${(params.allowedValues as unknown[]).filter((v) => v !== null).join(', ')}`,
      };
    case 'minLength':
      return {
        field,
        message:
          Number(params.limit) === 1 ? 'must not be empty' : `must be at least ${params.limit} characters`,
      };
    case 'maxLength':
      return { field, message: `must be at most ${params.limit} characters` };
    case 'minimum':
      return { field, message: `must be at least ${params.limit}` };
    case 'maximum':
      return { field, message: `must be at most ${params.limit}` };
    case 'const':
      return { field, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'minItems':
      return { field, message: `must have at least ${countOf(params.limit, 'item')}` };
    case 'maxItems':
      return { field, message: `must have at most ${countOf(params.limit, 'item')}` };
    case 'uniqueItems': {
      // Ajv's i and j: the two positions, from 0.
      const [first, second] = [Number(params.i), Number(params.j)].sort((x, y) => x - y);
      return {
        field,
        message: `must not repeat a value: items ${Number(first) + 1} and ${Number(second) + 1} are the same`,
      };
    }
    case 'anyOf':
    case 'oneOf':
      return undefined; // the branches' own errors say more
    default:
      return { field, message: error.message ?? 'is not valid' };
  }
}

const countOf = (n: unknown, noun: string) => `${n} ${Number(n) === 1 ? noun : `${noun}s`}`;

function valueAt(data: unknown, pointer: string): unknown {
  let value = data;
  for (const part of pointer.split('/').filter(Boolean)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}
