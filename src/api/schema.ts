/**
 * OpenAPI v3 schemas of the kanaria.dev/v1beta1 kinds: the one source the CRD manifests are generated from.
 * Field names follow Flagger's flagger.app/v1beta1 where they apply to NGINX. Each function returns a fresh object.
 */
import { httpMatchListSchema, stepsSchema } from './schema-steps.ts';
import { judgeSchema, metricComparisonSchema } from './schema-analysis.ts';
import {
  arr,
  bool,
  duration,
  int,
  num,
  obj,
  oneOfStrings,
  slackApproversSchema,
  str,
  stringMap,
  type JSONSchemaProps,
} from './schema-types.ts';
import { HOOK_TYPES, INGRESS_CONTROLLERS, PROVIDERS } from './types.ts';

export type { JSONSchemaProps } from './schema-types.ts';
export { canaryStatusSchema } from './schema-status.ts';
export {
  alertProviderSpecSchema,
  metricTemplateSpecSchema,
  resourceStatusSchema,
} from './schema-providers.ts';

export const BUILTIN_METRICS = ['request-success-rate', 'request-duration'] as const;

function percent(description: string, minimum = 0): JSONSchemaProps {
  return int(description, minimum, 100);
}

function labelsAnnotations(description: string): JSONSchemaProps {
  return obj(description, {
    labels: stringMap('Labels to add.'),
    annotations: stringMap('Annotations to add.'),
  });
}

function crossNamespaceRef(description: string): JSONSchemaProps {
  return obj(
    description,
    {
      apiVersion: str('API version of the referent.'),
      kind: str('Kind of the referent.'),
      name: str('Name of the referent.', { minLength: 1 }),
      namespace: str("Namespace of the referent; the Canary's namespace when empty."),
    },
    ['name'],
  );
}

function serviceSchema(): JSONSchemaProps {
  return obj(
    'How the apex, primary and canary Services are generated.',
    {
      name: str('Name of the apex Service; defaults to targetRef.name.'),
      port: int('Port the Services expose.', 1, 65535),
      portName: str('Name of the Service port; defaults to http.'),
      targetPort: {
        description: 'Container port number or name; defaults to port.',
        'x-kubernetes-int-or-string': true,
      },
      portDiscovery: bool("Also expose every TCP port of the target's containers."),
      appProtocol: str('Application protocol of the port.'),
      apex: labelsAnnotations('Metadata added to the apex Service.'),
      primary: labelsAnnotations('Metadata added to the primary Service.'),
      canary: labelsAnnotations('Metadata added to the canary Service.'),
      gatewayRefs: arr(
        'Provider gatewayapi:v1: the Gateways the HTTPRoute (named after the apex Service) attaches to.',
        obj(
          'A Gateway, as an HTTPRoute parentRef.',
          {
            name: str('Name of the Gateway.', { minLength: 1 }),
            namespace: str("Namespace of the Gateway; the Canary's namespace when empty."),
            sectionName: str('Listener of the Gateway; all of its listeners when empty.'),
          },
          ['name'],
        ),
        { minItems: 1 },
      ),
      hosts: arr('Provider gatewayapi:v1: hostnames of the HTTPRoute.', str('A hostname.', { minLength: 1 })),
      timeout: duration('Provider gatewayapi:v1: request timeout of the HTTPRoute rules.', '1ms', '1h'),
    },
    ['port'],
  );
}

function metricSchema(): JSONSchemaProps {
  return obj(
    'A metric check run at each analysis step.',
    {
      name: str('Name of the metric: request-success-rate, request-duration, or a name for a templateRef.', {
        minLength: 1,
      }),
      interval: duration('Window the query looks back over; defaults to 1m.', '1s', '24h'),
      threshold: num(
        'Deprecated (use thresholdRange): minimum for request-success-rate, maximum for other metrics.',
      ),
      thresholdRange: obj('Range the metric value must stay in.', {
        min: num('Lowest accepted value.'),
        max: num('Highest accepted value.'),
      }),
      query: str('Prometheus query (deprecated, use templateRef).'),
      templateRef: crossNamespaceRef('MetricTemplate holding the query.'),
      templateVariables: stringMap('Variables filled into the template query.'),
      unit: str('Shown after the metric values in status, events, alerts and the report, e.g. ms or %.'),
      compare: metricComparisonSchema(),
    },
    ['name'],
  );
}

function webhookSchema(): JSONSchemaProps {
  return obj(
    'An HTTP hook called at one stage of the release.',
    {
      name: str('Name of the webhook, unique within the Canary.', { minLength: 1 }),
      type: oneOfStrings('When the webhook is called; defaults to rollout.', HOOK_TYPES),
      url: str('URL the webhook POSTs to.', { minLength: 1 }),
      timeout: duration('Request timeout; defaults to 60s.', '1ms', '10m'),
      retries: int('How many times a failed request is retried.', 0, 10),
      metadata: stringMap('Key-value pairs sent in the payload.'),
      muteAlert: bool('Send no alerts for this webhook.'),
    },
    ['name', 'url'],
  );
}

function alertSchema(): JSONSchemaProps {
  return obj(
    'An alert sent through an AlertProvider.',
    {
      name: str('Name of the alert.', { minLength: 1 }),
      severity: oneOfStrings('Lowest severity sent: info, warn or error; defaults to info.', [
        '',
        'info',
        'warn',
        'error',
      ]),
      providerRef: crossNamespaceRef('AlertProvider to send through.'),
      approvers: slackApproversSchema(
        "Slack user IDs who may press Approve or Roll back on the alerts of this Canary (slack providers only; added to the AlertProvider's spec.approvers).",
      ),
    },
    ['name', 'providerRef'],
  );
}

function windowSchema(): JSONSchemaProps {
  return obj(
    'A recurring time window during which releases may (allow) or may not (deny) start.',
    {
      schedule: str(
        'Cron expression (minute hour day-of-month month day-of-week) for when the window opens.',
        {
          minLength: 1,
        },
      ),
      duration: duration('How long the window stays open.', '1m', '8784h'),
      timeZone: str('IANA time zone the schedule is read in; defaults to UTC.'),
      kind: oneOfStrings('allow: releases start only inside; deny: never inside. Defaults to allow.', [
        'allow',
        'deny',
      ]),
    },
    ['schedule', 'duration'],
  );
}

function analysisSchema(): JSONSchemaProps {
  return obj(
    'How a release is analysed and how traffic is shifted.',
    {
      interval: duration('Time between analysis steps.', '1s', '24h'),
      threshold: int('Failed checks after which the release is rolled back; defaults to 1.', 1),
      maxWeight: percent('Highest canary weight before promotion; defaults to 100.', 1),
      stepWeight: percent('Weight added at each step; defaults to 10.', 1),
      stepWeights: arr(
        'Weights to step through, increasing; used instead of stepWeight.',
        { type: 'integer', minimum: 1, maximum: 100 },
        { minItems: 1 },
      ),
      stepWeightPromotion: percent('Weight moved to the primary at each promotion step.', 1),
      iterations: int('Analysis steps for A/B testing (with match) or Blue/Green, at a fixed weight.', 0),
      match: httpMatchListSchema(
        'A/B testing: requests matching these headers (or the cookie header) go to the canary.',
      ),
      steps: stepsSchema(),
      primaryReadyThreshold: percent('Percent of primary pods that must be available; defaults to 100.'),
      canaryReadyThreshold: percent('Percent of canary pods that must be available; defaults to 100.'),
      metrics: arr('Metric checks.', metricSchema()),
      webhooks: arr('Webhooks called during the release.', webhookSchema()),
      alerts: arr('Alerts sent about the release.', alertSchema()),
      windows: arr('Release windows.', windowSchema()),
      judge: judgeSchema(),
      sessionAffinity: obj(
        'gatewayapi:v1: a user the canary answered during a weighted release gets this cookie, and requests carrying it go to the canary until the release ends.',
        {
          cookieName: str('Name of the cookie.', { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" }),
          maxAge: int('Lifetime of the cookie in seconds; default 86400.', 1),
        },
        ['cookieName'],
      ),
      observedSplit: obj(
        'The observed-split check: halts the release when the share of requests that reached the canary is ' +
          "statistically incompatible with its weight (a binomial test on the data plane's request counters).",
        {
          enabled: bool('On by default wherever the Prometheus of the built-in metrics is known.'),
          falseAlarmRate: {
            ...num(
              'Chance that one interval of a correctly routed canary is judged incompatible; default 0.001.',
            ),
            minimum: 1e-12,
            maximum: 0.5,
          },
          intervals: int('Consecutive incompatible intervals that halt the release; default 2.', 1),
          minRequests: int('Intervals with fewer requests are not judged; default 50.', 1),
        },
      ),
    },
    ['interval'],
  );
}

export function canarySpecSchema(): JSONSchemaProps {
  return obj(
    'Desired state of a Canary.',
    {
      provider: oneOfStrings(
        'Traffic provider: nginx (a canary Ingress with ingress-nginx annotations, the default) or gatewayapi:v1 ' +
          '(an HTTPRoute named after the apex Service, attached to service.gatewayRefs).',
        PROVIDERS,
      ),
      metricsServer: str('Prometheus URL for built-in metrics; overrides the operator flag.'),
      ingressController: oneOfStrings(
        'Controller serving the Ingress and its nginx.ingress.kubernetes.io annotations, which decides the ' +
          'Prometheus series of the built-in metrics; defaults to ingress-nginx. ingress-nginx: ' +
          'nginx_ingress_controller_requests and nginx_ingress_controller_response_duration_seconds_sum/_count ' +
          'with the Ingress name and canary!="". traefik (the kubernetesIngressNGINX provider): ' +
          'traefik_service_requests_total and traefik_service_request_duration_seconds_sum/_count of the service ' +
          '<namespace>-<ingress>-<service>-<port>-canary@kubernetesingressnginx, named after the Ingress ' +
          'backend (the apex Service) with its port number or name; these count retried upstream attempts. ' +
          'Not detected: both serve IngressClasses of controller k8s.io/ingress-nginx. Metrics with a query ' +
          'or templateRef are not affected.',
        INGRESS_CONTROLLERS,
      ),
      targetRef: obj(
        'The Deployment released progressively.',
        {
          apiVersion: oneOfStrings('API version of the target.', ['apps/v1']),
          kind: oneOfStrings('Kind of the target.', ['Deployment']),
          name: str('Name of the Deployment.', { minLength: 1 }),
        },
        ['kind', 'name'],
      ),
      ingressRef: obj(
        'The Ingress whose traffic is shifted; a <name>-canary copy is managed.',
        {
          apiVersion: str('API version of the Ingress (networking.k8s.io/v1).'),
          kind: oneOfStrings('Kind of the referent.', ['Ingress']),
          name: str('Name of the Ingress.', { minLength: 1 }),
        },
        ['name'],
      ),
      autoscalerRef: obj(
        'HorizontalPodAutoscaler of the target; a <name>-primary copy is managed.',
        {
          apiVersion: str('API version of the autoscaler (autoscaling/v2).'),
          kind: oneOfStrings('Kind of the referent.', ['HorizontalPodAutoscaler']),
          name: str('Name of the HorizontalPodAutoscaler.', { minLength: 1 }),
        },
        ['name'],
      ),
      service: serviceSchema(),
      analysis: analysisSchema(),
      progressDeadlineSeconds: int(
        'Seconds a rollout may wait for pods before it fails; defaults to 600.',
        1,
      ),
      skipAnalysis: bool('Promote without analysis.'),
      suspend: bool('Pause all releases of this Canary.'),
      revertOnDeletion: bool('On deletion, give traffic and the Deployment back as they were before.'),
      migration: obj(
        'Moving between providers: set spec.provider to the new one and keep the old route configured (ingressRef, or service.gatewayRefs); both routes carry the weights until the old one is idle.',
        {
          idleFor: duration(
            'How long the old route must count no request before it is removed; defaults to 10m.',
            '1s',
            '720h',
          ),
        },
      ),
    },
    ['targetRef', 'service', 'analysis'],
  );
}

/** Top-level openAPIV3Schema of a kind with the given spec and status schemas. */
export function objectSchema(kind: string, spec: JSONSchemaProps, status: JSONSchemaProps): JSONSchemaProps {
  return obj(
    `${kind} of the kanaria.dev API.`,
    {
      apiVersion: str('Versioned schema of this representation of an object.'),
      kind: str('REST resource this object represents.'),
      metadata: { type: 'object' },
      spec,
      status,
    },
    ['spec'],
  );
}
