/** Schemas of the canary-versus-control judge: metrics[].compare, analysis.judge and status.analysis. */
import {
  arr,
  bool,
  duration,
  int,
  num,
  obj,
  oneOfStrings,
  str,
  type JSONSchemaProps,
} from './schema-types.ts';

const VERDICTS = ['Pass', 'High', 'Low', 'NoData', 'Inconclusive', 'Error'];
const DECISIONS = ['pass', 'marginal', 'fail', 'inconclusive'];

function ratio(description: string): JSONSchemaProps {
  return { ...num(description), minimum: 0 };
}

export function metricComparisonSchema(): JSONSchemaProps {
  return obj(
    "Judge the canary's series against the primary's (see analysis.judge) instead of a fixed range. " +
      'The query runs once per side with {{ workload }} set to the Deployment (target, and target-primary or ' +
      'target-baseline with analysis.judge.baseline) ' +
      'and {{ side }} to canary or control.',
    {
      direction: oneOfStrings('Which change fails the metric; default either.', [
        'increase',
        'decrease',
        'either',
      ]),
      allowedIncrease: ratio(
        'Canary mean / control mean at or above which a significant increase fails, e.g. 1.1; default 1.',
      ),
      allowedDecrease: ratio(
        'Canary mean / control mean at or below which a significant decrease fails, e.g. 0.9; default 1.',
      ),
      critical: bool('A High or Low fails the whole check, whatever the score.'),
      criticalIncrease: ratio(
        'For a critical metric: the ratio from which a High fails the check; default 1.',
      ),
      criticalDecrease: ratio(
        'For a critical metric: the ratio from which a Low fails the check; default 1.',
      ),
      required: bool('No data counts as a failed metric (and fails the check when critical).'),
      groups: arr('Groups the metric scores in (analysis.judge.groupWeights); default group "default".', {
        ...str('Group name.'),
        minLength: 1,
      }),
      minSampleSize: int(
        'Fewer samples than this on either side is Inconclusive; default analysis.judge.minSampleSize.',
        1,
      ),
    },
  );
}

export function judgeSchema(): JSONSchemaProps {
  return obj('How compared metrics (metrics[].compare) are sampled and scored (docs/judge.md).', {
    lookback: duration(
      'Range the samples of an interval are taken from; default the analysis interval.',
      '2s',
      '24h',
    ),
    sampleStep: duration('Spacing of the samples; default lookback / 10, at least 1s.', '1s', '1h'),
    confidenceLevel: {
      ...num('Two-sided confidence level of the shift interval; default 0.98.'),
      minimum: 0.5,
      maximum: 0.9999,
    },
    minSampleSize: int('Fewer samples on either side is Inconclusive; default 5.', 1),
    thresholds: obj(
      'Score ≥ pass passes; ≥ marginal holds the release for kanaria promote; below fails the check. Default 75 / 50.',
      {
        pass: { ...num('Pass threshold, 0-100.'), minimum: 0, maximum: 100 },
        marginal: { ...num('Marginal threshold, 0-100, at most pass.'), minimum: 0, maximum: 100 },
      },
      ['pass', 'marginal'],
    ),
    groupWeights: {
      type: 'object',
      description: 'Weight per metric group; groups without one share what is left of 100.',
      additionalProperties: { ...num('Weight.'), minimum: 0, maximum: 100 },
    },
    inconclusiveLimit: int('Consecutive Inconclusive intervals that fail the release; default 3.', 1),
    baseline: bool(
      'Judge the canary against a baseline: Deployment <target>-baseline running the primary pod template at ' +
        "the canary's size, started with the canary, with the canary's weight (the primary gets 100 - 2 × weight). " +
        'Needs provider gatewayapi:v1 and a maxWeight (or last stepWeights entry) of at most 50.',
    ),
  });
}

function metricRecordSchema(): JSONSchemaProps {
  return obj('One metric of an interval: against its threshold or against the control.', {
    kind: oneOfStrings('threshold or control.', ['threshold', 'control']),
    metric: str('Metric name.'),
    unit: str('Unit of the values.'),
    value: num('threshold: the measured value.'),
    min: num('threshold: lowest accepted value.'),
    max: num('threshold: highest accepted value.'),
    canary: num("control: mean of the canary's samples."),
    control: num("control: mean of the control's samples."),
    canarySize: int('control: canary samples.', 0),
    controlSize: int('control: control samples.', 0),
    estimate: num('control: Hodges-Lehmann estimate of canary − control.'),
    interval: obj('control: confidence interval of the estimate.', {
      lower: num('Lower end.'),
      upper: num('Upper end.'),
    }),
    confidenceLevel: num('control: level of the interval.'),
    pValue: num('control: Mann-Whitney p-value.'),
    w: num('control: Mann-Whitney W.'),
    effectSize: num('control: canary mean / control mean.'),
    verdict: oneOfStrings('Verdict.', VERDICTS),
    reason: str('Why.'),
  });
}

export function analysisRecordSchema(): JSONSchemaProps {
  const interval = obj('One analysis interval.', {
    at: str('When the analysis ran (the end of the interval).', { format: 'date-time' }),
    weight: int('Canary weight during the interval.', 0, 100),
    observedWeight: num("The canary's share of requests measured at the data plane, percent."),
    metrics: arr('Each metric of the interval.', metricRecordSchema()),
    judgement: obj("The judge's decision over the compared metrics.", {
      decision: oneOfStrings('Decision.', DECISIONS),
      score: num('Score 0-100.'),
      reason: str('Why.'),
    }),
  });
  return obj('Every analysis interval of the current or last release (the release report reads it).', {
    revision: str('The release the record is about.'),
    intervals: arr('The latest intervals, oldest first (at most 20).', interval),
    omittedIntervals: int('Earlier intervals left out.', 0),
    inconclusiveIntervals: int('Consecutive Inconclusive intervals up to now.', 0),
    held: obj('A marginal score holds the release for a person (kanaria promote).', {
      reason: str('Why.'),
      since: str('Since when.', { format: 'date-time' }),
    }),
  });
}
