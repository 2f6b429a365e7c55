import { DURATION_PATTERN, durationRule } from './duration.ts';

/** The subset of OpenAPI v3 (as Kubernetes structural schemas use it) that the kanaria.dev schemas need. */
export interface JSONSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  required?: string[];
  additionalProperties?: JSONSchemaProps;
  items?: JSONSchemaProps;
  enum?: (string | number)[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  /** Only value validations (no types) are allowed inside anyOf in a structural schema. */
  anyOf?: JSONSchemaProps[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  /** CEL rules the API server checks at admission. */
  'x-kubernetes-validations'?: { rule: string; message: string }[];
}

export function str(description: string, extra: JSONSchemaProps = {}): JSONSchemaProps {
  return { type: 'string', description, ...extra };
}

export function oneOfStrings(description: string, values: readonly string[]): JSONSchemaProps {
  return { type: 'string', description, enum: [...values] };
}

export function int(description: string, minimum?: number, maximum?: number): JSONSchemaProps {
  return {
    type: 'integer',
    description,
    ...(minimum === undefined ? {} : { minimum }),
    ...(maximum === undefined ? {} : { maximum }),
  };
}

export function num(description: string): JSONSchemaProps {
  return { type: 'number', description };
}

export function bool(description: string): JSONSchemaProps {
  return { type: 'boolean', description };
}

export function obj(
  description: string,
  properties: Record<string, JSONSchemaProps>,
  required: string[] = [],
): JSONSchemaProps {
  return { type: 'object', description, ...(required.length ? { required } : {}), properties };
}

export function arr(
  description: string,
  items: JSONSchemaProps,
  extra: JSONSchemaProps = {},
): JSONSchemaProps {
  return { type: 'array', description, items, ...extra };
}

/** Slack user IDs (U… or W…) allowed to press Approve and Roll back on waiting releases. */
export function slackApproversSchema(description: string): JSONSchemaProps {
  return arr(description, str('A Slack user ID, e.g. U024BE7LH.', { pattern: SLACK_USER_ID_PATTERN }), {
    'x-kubernetes-list-type': 'set',
  });
}

/** A Slack user ID: U… (or W… on Enterprise Grid), as Slack sends it in interactivity payloads. */
export const SLACK_USER_ID_PATTERN = '^[UW][A-Z0-9]{2,20}$';

/** A free map of strings (labels, annotations, metadata, template variables). */
export function stringMap(description: string): JSONSchemaProps {
  return { type: 'object', description, additionalProperties: { type: 'string' } };
}

/** A positive Go-style duration between `min` and `max` (checked at admission with CEL). */
export function duration(description: string, min = '1ms', max = '24h'): JSONSchemaProps {
  return str(`${description} Go-style duration such as 30s, 1m or 1m30s, from ${min} to ${max}.`, {
    pattern: DURATION_PATTERN,
    maxLength: 32,
    'x-kubernetes-validations': [durationRule(min, max)],
  });
}
