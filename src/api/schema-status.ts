/** The status schema of a Canary: everything the controller needs to resume lives here. */
import {
  arr,
  bool,
  int,
  num,
  obj,
  oneOfStrings,
  str,
  stringMap,
  type JSONSchemaProps,
} from './schema-types.ts';
import { stepStatusSchemas } from './schema-steps.ts';
import { analysisRecordSchema } from './schema-analysis.ts';
import { conditionsSchema } from './schema-providers.ts';
import { PHASES, PROVIDERS } from './types.ts';

export function canaryStatusSchema(): JSONSchemaProps {
  return obj('Observed state of a Canary; all the controller needs to resume.', {
    phase: oneOfStrings('Phase of the release.', PHASES),
    canaryWeight: int('Traffic weight routed to the canary.', 0, 100),
    failedChecks: int('Failed checks in the current analysis.', 0),
    iterations: int('Iterations done in the current analysis.', 0),
    lastAppliedSpec: str("Hash of the target's pod template the current or last release is about."),
    lastPromotedSpec: str("Hash of the target's pod template last copied to the primary."),
    trackedConfigs: stringMap(
      'Hashes of tracked ConfigMaps/Secrets, keyed configmap/<name> or secret/<name>.',
    ),
    promotedConfigs: stringMap('Tracked config hashes last copied to the primary.'),
    lastTransitionTime: str('When the phase last changed.', { format: 'date-time' }),
    lastStepTime: str('When the last analysis step ran.', { format: 'date-time' }),
    waitingSince: str('When the current wait for readiness began.', { format: 'date-time' }),
    canaryReplicas: int('Replicas the canary is scaled to during a release.', 0),
    releaseStartTime: str('When the current or last release started.', { format: 'date-time' }),
    revision: str(
      'Revision (template and tracked configs) of the pending or current release; kanaria promote/abort name it.',
    ),
    message: str('Human-readable state.'),
    observedGeneration: int('Generation of the spec last acted on.', 0),
    conditions: conditionsSchema(),
    trafficSince: str('When the canary first got routes in the current release.', {
      format: 'date-time',
    }),
    pendingOutcome: pendingOutcomeSchema(),
    previousWeight: int('The canary weight before the last change.', 0, 100),
    observedSplit: observedSplitSchema(),
    migration: migrationSchema(),
    analysis: analysisRecordSchema(),
    ...stepStatusSchemas(),
  });
}

function migrationSchema(): JSONSchemaProps {
  const provider = (description: string) => oneOfStrings(description, PROVIDERS);
  return obj(
    'The current or last move between providers (both routes carry the weights until it finishes).',
    {
      from: provider('Provider the Canary moves from (its route is removed when the move finishes).'),
      to: provider('Provider the Canary moves to (spec.provider).'),
      startedAt: str('When the move started.', { format: 'date-time' }),
      lastRequestAt: str("When the old route's request counter last moved.", { format: 'date-time' }),
      oldRouteRequests: int("The old route's request counter at the last reading.", 0),
      finishedAt: str('When the old route was retired.', { format: 'date-time' }),
      finishedBy: oneOfStrings('What finished the move.', ['idle', 'request']),
      message: str('Where the move stands.'),
    },
  );
}

function observedSplitSchema(): JSONSchemaProps {
  return obj("What the data plane did with the last interval's requests (the observed-split check).", {
    at: str('When the counts were read.', { format: 'date-time' }),
    weight: int('Canary weight in force during the interval.', 0, 100),
    previousWeight: int('Canary weight before the last change.', 0, 100),
    canaryRequests: int('Requests the canary served in the interval.', 0),
    requests: int("The app's requests in the interval.", 0),
    share: num('canaryRequests / requests in percent.'),
    pValue: num("The binomial test's p-value; absent when too few requests were counted."),
    incompatibleIntervals: int('Consecutive intervals whose split was incompatible with the weight.', 0),
  });
}

function pendingOutcomeSchema(): JSONSchemaProps {
  const event = obj('An Event to record on the Canary.', {
    type: oneOfStrings('Event type.', ['Normal', 'Warning']),
    reason: str('Event reason.'),
    message: str('Event message.'),
  });
  const alert = obj('An alert to send.', {
    kind: oneOfStrings('Alert kind.', ['promoted', 'rolled-back']),
    severity: oneOfStrings('Alert severity.', ['info', 'warn', 'error']),
    message: str('Alert text.'),
    reason: str('Why.'),
    measurements: arr(
      'Measured values of the failed checks.',
      obj('One measurement.', {
        name: str('Check name.'),
        value: num('Measured value.'),
        message: str('What was measured.'),
        threshold: str('What the value was held against: a bound or the control.'),
        verdict: str('The verdict of the check.'),
      }),
    ),
  });
  return obj(
    'A promotion or rollback whose events, alerts and post-rollout hooks are not all delivered yet.',
    {
      id: str('Names this record.'),
      events: arr('Events not recorded yet.', event),
      alerts: arr('Alerts not delivered yet.', alert),
      postRollout: bool('Whether the post-rollout webhooks still have to be called.'),
      attempts: int('Delivery attempts that left something undelivered.', 0),
    },
  );
}
