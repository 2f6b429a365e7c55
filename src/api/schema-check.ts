/**
 * Checks a value against a structural schema of schema.ts the way the API server's admission would, so the
 * same rules give readable messages outside the cluster (CLI, tests, objects read from older versions).
 * Covers what the schemas use: type, int-or-string, enum, minimum/maximum, minLength, minItems, pattern,
 * required, anyOf of required, properties, additionalProperties and items. Unknown fields are ignored
 * (the API server prunes them).
 */
import { DURATION_PATTERN, durationRuleBounds, parseDuration } from './duration.ts';
import { SLACK_USER_ID_PATTERN, type JSONSchemaProps } from './schema-types.ts';

export interface ValidationIssue {
  /** JSON path of the offending field, e.g. `spec.analysis.stepWeights[2]`. */
  field: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** `path.key`, or `path["key"]` when the key is not a plain identifier (header names, label keys). */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const TYPE_FIX: Record<NonNullable<JSONSchemaProps['type']>, string> = {
  object: 'an object (key: value fields)',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number (without quotes)',
  number: 'a number (without quotes)',
  boolean: 'true or false (without quotes)',
};

function hasType(type: NonNullable<JSONSchemaProps['type']>, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
  }
}

function rangeText(schema: JSONSchemaProps): string {
  const { minimum: min, maximum: max } = schema;
  if (min !== undefined && max !== undefined) return `from ${min} to ${max}`;
  if (min !== undefined) return `of at least ${min}`;
  return `of at most ${max}`;
}

function checkScalar(schema: JSONSchemaProps, value: unknown, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (schema.enum && !schema.enum.includes(value as string | number)) {
    const allowed = schema.enum.map((v) => JSON.stringify(v)).join(', ');
    issues.push({ field: path, message: `is ${show(value)}, which is not allowed: use one of ${allowed}` });
  }
  if (typeof value === 'number') {
    const low = schema.minimum !== undefined && value < schema.minimum;
    const high = schema.maximum !== undefined && value > schema.maximum;
    if (low || high) {
      issues.push({
        field: path,
        message: `is ${value}, out of range: set a value ${rangeText(schema)}`,
      });
    }
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      issues.push({ field: path, message: 'is empty: set a value or remove the field' });
    } else if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
      issues.push({
        field: path,
        message:
          schema.pattern === DURATION_PATTERN
            ? `is ${show(value)}, not a duration longer than zero: use a number and unit (ms, s, m, h), e.g. 30s, 1m or 1m30s`
            : schema.pattern === SLACK_USER_ID_PATTERN
              ? `is ${show(value)}, not a Slack user ID: use the member ID (U… or W…, from the user's Slack profile: Copy member ID), not a name or @handle`
              : `is ${show(value)}, which does not match ${schema.pattern}: change it to match`,
      });
    } else {
      issues.push(...durationBoundIssues(schema, value, path));
    }
  }
  return issues;
}

function checkObject(
  schema: JSONSchemaProps,
  value: Record<string, unknown>,
  path: string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const name of schema.required ?? []) {
    if (value[name] === undefined || value[name] === null) {
      issues.push({ field: joinPath(path, name), message: `is required: add ${name}` });
    }
  }
  if (schema.anyOf) {
    const satisfied = schema.anyOf.some((alt) =>
      (alt.required ?? []).every((name) => value[name] !== undefined && value[name] !== null),
    );
    if (!satisfied) {
      const options = schema.anyOf.map((alt) => (alt.required ?? []).join(' and ')).join(' or ');
      issues.push({ field: path || '.', message: `needs ${options}: set one of them` });
    }
  }
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    if (value[name] !== undefined && value[name] !== null) {
      issues.push(...checkSchema(sub, value[name], joinPath(path, name)));
    }
  }
  if (schema.additionalProperties) {
    for (const [name, v] of Object.entries(value)) {
      issues.push(...checkSchema(schema.additionalProperties, v, joinPath(path, name)));
    }
  }
  return issues;
}

/** Issues of `value` against `schema`; `path` names `value` in the messages. */
export function checkSchema(schema: JSONSchemaProps, value: unknown, path: string): ValidationIssue[] {
  if (schema['x-kubernetes-int-or-string']) {
    if (!Number.isInteger(value) && typeof value !== 'string') {
      return [{ field: path, message: `is ${show(value)}: use a port number or a port name` }];
    }
    return checkScalar(schema, value, path);
  }
  if (schema.type && !hasType(schema.type, value)) {
    return [{ field: path, message: `is ${show(value)}: it must be ${TYPE_FIX[schema.type]}` }];
  }
  if (Array.isArray(value)) {
    const issues: ValidationIssue[] = [];
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      issues.push({
        field: path,
        message: `has ${value.length} entries: add at least ${schema.minItems} or remove the field`,
      });
    }
    if (schema.items)
      value.forEach((v, i) => issues.push(...checkSchema(schema.items!, v, joinPath(path, i))));
    return issues;
  }
  if (isPlainObject(value)) return checkObject(schema, value, path);
  return checkScalar(schema, value, path);
}

/** The CEL duration bounds of a field (see durationRule), checked the way the API server does. */
function durationBoundIssues(schema: JSONSchemaProps, value: string, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const { rule } of schema['x-kubernetes-validations'] ?? []) {
    const bounds = durationRuleBounds(rule);
    if (!bounds) continue;
    const ms = parseDuration(value);
    if (ms < parseDuration(bounds.min) || ms > parseDuration(bounds.max))
      issues.push({
        field: path,
        message: `is ${show(value)}, out of range: set a duration from ${bounds.min} to ${bounds.max}`,
      });
  }
  return issues;
}
