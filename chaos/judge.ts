/**
 * Judges a recorded run again: `node chaos/judge.ts [.chaos]` reads report.json and observations.json
 * from that directory and prints the counts table and the violations with the current invariant code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkInvariants } from './invariants.ts';
import { findNotes } from './notes.ts';
import { ANALYSIS, INITIAL_TAG } from './plan.ts';
import { formatReport, type RunFigures } from './report.ts';
import type { Observation, ReleaseRecord } from './types.ts';

const dir = process.argv[2] ?? '.chaos';
const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as {
  figures: RunFigures;
  releases: ReleaseRecord[];
};
const observations = JSON.parse(readFileSync(join(dir, 'observations.json'), 'utf8')) as Observation[];
const result = checkInvariants({
  observations,
  releases: report.releases,
  initialTag: INITIAL_TAG,
  maxWeight: 60,
});
console.log(
  formatReport(result, report.figures, report.releases, [], findNotes(observations, ANALYSIS.maxWeight)),
);
process.exitCode = result.total === 0 ? 0 : 1;
