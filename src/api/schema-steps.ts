/** Schemas of header matches, analysis.steps and the status fields that record a step and a decision. */
import { arr, duration, int, obj, oneOfStrings, str, type JSONSchemaProps } from './schema-types.ts';

export function stringMatchSchema(): JSONSchemaProps {
  return obj('How a header or query value is matched; ingress-nginx supports exact and regex.', {
    exact: str('Exact value.'),
    regex: str('Regular expression the value must match.'),
    prefix: str('Value prefix (not supported by ingress-nginx).'),
    suffix: str('Value suffix (not supported by ingress-nginx).'),
  });
}

/** Header (or cookie, or on gatewayapi:v1 query) conditions; any entry of the list selects the canary. */
export function httpMatchListSchema(description: string): JSONSchemaProps {
  return arr(
    description,
    obj('Header conditions.', {
      headers: {
        type: 'object',
        description: 'Header name to value match; "cookie" selects a cookie by name.',
        additionalProperties: stringMatchSchema(),
      },
      queryParams: {
        type: 'object',
        description: 'Provider gatewayapi:v1: query parameter name to value match.',
        additionalProperties: stringMatchSchema(),
      },
    }),
  );
}

export const MAX_STEPS = 100;

export function stepsSchema(): JSONSchemaProps {
  const step: JSONSchemaProps = {
    ...obj('One step: exactly one of setWeight, setHeaderRoute and pause.', {
      setWeight: int(
        "The canary's share, in percent, of the requests no header route selects; kept until a later setWeight.",
        0,
        100,
      ),
      setHeaderRoute: obj(
        'Requests matching these conditions go to the canary, beside the weight of later steps, until a later ' +
          'setHeaderRoute replaces them (one without match removes the route).',
        { match: httpMatchListSchema('Conditions; any entry selects the canary.') },
      ),
      pause: obj(
        'Hold the current routes (the checks keep running): for duration, or without one until the release is ' +
          'approved (kanaria promote, Slack Approve, the gate API).',
        { duration: duration('How long the pause lasts.', '1s', '24h') },
      ),
      interval: duration(
        'How long a setWeight or setHeaderRoute step is analysed, and how often a pause runs the checks; ' +
          'default analysis.interval.',
        '1s',
        '24h',
      ),
    }),
    'x-kubernetes-validations': [
      {
        rule: '(has(self.setWeight) ? 1 : 0) + (has(self.setHeaderRoute) ? 1 : 0) + (has(self.pause) ? 1 : 0) == 1',
        message: 'a step sets exactly one of setWeight, setHeaderRoute and pause',
      },
    ],
  };
  return arr(
    'The release as ordered steps, instead of stepWeight/stepWeights: weights, header routes and pauses. ' +
      'After the last step the canary is promoted.',
    step,
    { minItems: 1, maxItems: MAX_STEPS },
  );
}

export function stepStatusSchemas(): Record<string, JSONSchemaProps> {
  return {
    currentStep: int('analysis.steps: index (from 0) of the step in force.', 0),
    stepStartTime: str('analysis.steps: when the step in force began.', { format: 'date-time' }),
    lastDecision: obj('The last approval or rollback request a person made for the current release.', {
      decision: oneOfStrings('What was decided.', ['approve', 'rollback']),
      revision: str('The release it is about.'),
      by: str('Who decided (a Slack user, a Kubernetes user).'),
      via: str('Through what: Slack, gate API, kanaria CLI.'),
      at: str('When.', { format: 'date-time' }),
    }),
  };
}
