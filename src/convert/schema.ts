/**
 * A small declarative walker: each field of a Flagger object has a rule that keeps it, converts
 * it, or removes it with a reason. Fields without a rule are removed with a generic reason.
 */

/** One finding about one field of one document. */
export interface ConversionWarning {
  /** `Kind/name` of the document, e.g. `Canary/podinfo`. */
  document: string;
  /** JSON path of the field in the input document, e.g. `spec.service.gateways`. */
  field: string;
  /** Why the field was changed or removed. */
  message: string;
}

/** Something that makes a document impossible to convert; same shape as a warning. */
export type ConversionIssue = ConversionWarning;

export interface Ctx {
  document: string;
  warnings: ConversionWarning[];
  issues: ConversionIssue[];
}

/** Returned by a rule to leave the field out of the output. */
export const OMIT: unique symbol = Symbol('omit');
export type Rule = (value: unknown, path: string, ctx: Ctx) => unknown;

export const NO_EQUIVALENT = 'has no equivalent in Kanaria; removed';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Values whose removal changes nothing (false, empty), so removing them needs no warning. */
export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return isRecord(value) && Object.keys(value).length === 0;
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function warn(ctx: Ctx, field: string, message: string): void {
  ctx.warnings.push({ document: ctx.document, field, message });
}

export function fail(ctx: Ctx, field: string, message: string): void {
  ctx.issues.push({ document: ctx.document, field, message });
}

export const keep: Rule = (value) => value;

/** Removes the field, warning with `reason` unless its value is empty or false. */
export function drop(reason: string): Rule {
  return (value, path, ctx) => {
    if (!isEmpty(value)) warn(ctx, path, reason);
    return OMIT;
  };
}

/** Walks an object field by field; unknown fields are removed with `otherwise` as the reason. */
export function object(fields: Record<string, Rule>, otherwise: string = NO_EQUIVALENT): Rule {
  return (value, path, ctx) => {
    if (!isRecord(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const rule = Object.hasOwn(fields, key) ? fields[key] : drop(otherwise);
      const result = rule(child, join(path, key), ctx);
      if (result !== OMIT) out[key] = result;
    }
    return out;
  };
}

/** Applies `item` to each element; elements the rule omits are left out. */
export function list(item: Rule): Rule {
  return (value, path, ctx) => {
    if (!Array.isArray(value)) return value;
    return value.map((v, i) => item(v, join(path, i), ctx)).filter((v) => v !== OMIT);
  };
}

/** Applies `item` to each value of a map with user-chosen keys (e.g. header names). */
export function record(item: Rule): Rule {
  return (value, path, ctx) => {
    if (!isRecord(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const result = item(child, join(path, key), ctx);
      if (result !== OMIT) out[key] = result;
    }
    return out;
  };
}

/** Renames `from` to `to` in place, keeping the key order. */
export function renameKey(obj: Record<string, unknown>, from: string, to: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k === from ? to : k, v]));
}
