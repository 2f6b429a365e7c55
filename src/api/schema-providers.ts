/** OpenAPI v3 schemas of the MetricTemplate and AlertProvider specs, and the status shared by all kinds. */
import {
  arr,
  bool,
  int,
  obj,
  oneOfStrings,
  slackApproversSchema,
  str,
  type JSONSchemaProps,
} from './schema-types.ts';
import { ALERT_PROVIDER_TYPES, METRIC_PROVIDER_TYPES } from './types.ts';

export function conditionsSchema(): JSONSchemaProps {
  return arr(
    'Conditions of the object, one per type.',
    obj(
      'One condition.',
      {
        type: str('Type of the condition.'),
        status: oneOfStrings('Status of the condition.', ['True', 'False', 'Unknown']),
        reason: str('Machine-readable reason for the last transition.'),
        message: str('Human-readable message.'),
        lastTransitionTime: str('When the status last changed.', { format: 'date-time' }),
        lastUpdateTime: str('When the condition was last updated.', { format: 'date-time' }),
        observedGeneration: int('Generation the condition was computed from.', 0),
      },
      ['type', 'status'],
    ),
    { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
  );
}

export function metricTemplateSpecSchema(): JSONSchemaProps {
  return obj(
    'Desired state of a MetricTemplate.',
    {
      provider: obj(
        'Metrics backend the query runs against.',
        {
          type: oneOfStrings('Kind of backend.', METRIC_PROVIDER_TYPES),
          address: str("API address of the backend; for prometheus, the Canary's metricsServer when empty."),
          secretRef: obj('Secret with the credentials.', { name: str('Name of the Secret.') }, ['name']),
          headers: {
            type: 'object',
            description: 'HTTP headers sent with each query (name to values).',
            additionalProperties: { type: 'array', items: { type: 'string' } },
          },
          insecureSkipVerify: bool('Skip TLS certificate verification.'),
        },
        ['type'],
      ),
      query: str(
        'Query text, with {{ name }}, {{ namespace }}, {{ target }}, {{ interval }} and variables.',
        {
          minLength: 1,
        },
      ),
    },
    ['provider', 'query'],
  );
}

export function alertProviderSpecSchema(): JSONSchemaProps {
  return {
    ...obj(
      'Desired state of an AlertProvider.',
      {
        type: oneOfStrings('Kind of receiver.', ALERT_PROVIDER_TYPES),
        address: str('Webhook URL of the receiver.'),
        secretRef: obj(
          'Secret whose address key holds the webhook URL.',
          { name: str('Name of the Secret.') },
          ['name'],
        ),
        channel: str('Channel to post to.'),
        username: str('User name to post as.'),
        proxy: str('HTTP(S) proxy URL used to reach the receiver.'),
        cluster: str('Cluster name shown in the messages.'),
        approvers: slackApproversSchema(
          'Slack user IDs who may press Approve or Roll back on the waiting-approval alerts sent through this provider (type slack only).',
        ),
      },
      ['type'],
    ),
    anyOf: [{ required: ['address'] }, { required: ['secretRef'] }],
  };
}

export function resourceStatusSchema(): JSONSchemaProps {
  return obj('Observed state.', {
    observedGeneration: int('Generation of the spec last acted on.', 0),
    conditions: conditionsSchema(),
  });
}
