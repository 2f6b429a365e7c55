/**
 * The judge's part of an analysis step: the interval's decision over the compared metrics (score, critical
 * failures, thresholds), and what a run of Inconclusive intervals means (docs/judge.md).
 */
import { JUDGE_DEFAULTS } from '../api/analysis.ts';
import { inconclusiveAction, judgeInterval, type Judgement } from '../judge/score.ts';
import type { Decision } from './context.ts';
import type { CheckResult } from './model.ts';

export type JudgeStep =
  /** Score ≥ pass: the step may advance. */
  | { kind: 'pass'; judgement: Judgement }
  /** Below marginal, or a critical metric failed: one failed check. */
  | { kind: 'fail'; judgement: Judgement; failed: CheckResult }
  /** Between marginal and pass: held for a person. */
  | { kind: 'marginal'; judgement: Judgement }
  /** Too few samples: neither advance nor count a failure, up to the limit. */
  | { kind: 'wait'; judgement: Judgement; reason: string; streak: number }
  /** Inconclusive `inconclusiveLimit` times in a row: the release fails. */
  | { kind: 'give-up'; judgement: Judgement; failed: CheckResult; streak: number };

/** Compared metrics whose samples were read (a query error is an ordinary failed check instead). */
export function comparedResults(analysis: readonly CheckResult[]): CheckResult[] {
  return analysis.filter((c) => c.kind === 'compare' && c.comparison);
}

function judgeCheck(message: string): CheckResult {
  return { kind: 'compare', name: 'judge', ok: false, message };
}

/** The judge's verdict on this interval, or undefined when no metric is compared. */
export function judgeStep(d: Decision, analysis: readonly CheckResult[]): JudgeStep | undefined {
  const compared = comparedResults(analysis);
  if (compared.length === 0) return undefined;
  const spec = d.s.spec.analysis.judge;
  let judgement: Judgement;
  try {
    judgement = judgeInterval(
      compared.map((c) => ({ classification: c.comparison!.classification, groups: c.comparison!.groups })),
      { groupWeights: spec?.groupWeights, thresholds: spec?.thresholds },
    );
  } catch (err) {
    // Validation refuses such settings; a spec that slipped through still fails safe.
    const reason = `judge: ${(err as Error).message}`;
    return {
      kind: 'fail',
      judgement: { decision: 'fail', score: 0, groups: [], thresholds: { pass: 0, marginal: 0 }, reason },
      failed: judgeCheck(reason),
    };
  }
  switch (judgement.decision) {
    case 'pass':
      return { kind: 'pass', judgement };
    case 'marginal':
      return { kind: 'marginal', judgement };
    case 'fail': {
      // A score says which metrics failed; their own reasons say by how much.
      const critical = compared.some((c) => c.comparison!.classification.critical);
      const why = critical
        ? ''
        : compared
            .filter((c) => !c.ok)
            .map((c) => `; ${c.message}`)
            .join('');
      return { kind: 'fail', judgement, failed: judgeCheck(`judge: ${judgement.reason}${why}`) };
    }
    case 'inconclusive':
      return inconclusiveStep(d, judgement);
  }
}

function inconclusiveStep(d: Decision, judgement: Judgement): JudgeStep {
  const limit = d.s.spec.analysis.judge?.inconclusiveLimit ?? JUDGE_DEFAULTS.inconclusiveLimit;
  const record = d.status.analysis;
  const earlier = record && record.revision === d.status.revision ? (record.inconclusiveIntervals ?? 0) : 0;
  const history = [
    ...Array.from({ length: earlier }, () => ({ decision: 'inconclusive' as const, reason: '' })),
    { decision: judgement.decision, reason: judgement.reason },
  ];
  const action = inconclusiveAction(history, limit);
  if (action.action === 'fail')
    return { kind: 'give-up', judgement, failed: judgeCheck(action.reason), streak: action.streak };
  if (action.action === 'wait')
    return { kind: 'wait', judgement, reason: action.reason, streak: action.streak };
  return { kind: 'pass', judgement };
}

/** A marginal score held this release for a person: only `kanaria promote` or a failure moves it on. */
export function heldForPerson(d: Decision): boolean {
  const record = d.status.analysis;
  return Boolean(record?.held) && record?.revision === d.status.revision;
}

export function holdForPerson(d: Decision, reason: string | undefined): undefined {
  const record = d.status.analysis;
  if (record && !record.held) {
    const why = reason ?? 'the judge scored the canary marginal';
    record.held = { reason: why, since: d.nowIso };
    d.event(
      'Normal',
      'Synced',
      `Marginal score: waiting for a person to promote ${d.id} (kanaria promote): ${why}`,
    );
    d.alerts.push({
      kind: 'waiting-approval',
      severity: 'warn',
      message: `Waiting for a person to promote ${d.id}: the judge's score is marginal`,
      reason: why,
    });
  }
  d.phase(
    'WaitingPromotion',
    `held for promotion by a person (kanaria promote): ${record?.held?.reason ?? reason}`,
  );
  return d.stepDone();
}
