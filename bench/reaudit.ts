// Recounts a finished run's API requests from the audit log its control plane left in the cache (rotated
// files included): the whole window from the bump on, and per weight step while the releases ran.
//   node bench/reaudit.ts <workDir> <kanaria|flagger> <bump ISO time> <end ISO time> <canary steps> [max steps per app]
import { join } from 'node:path';
import { auditLines, countRequests, requestsPerWeightStep } from './measure.ts';

const [workDir, controller, bumpIso, endIso, canarySteps, maxSteps] = process.argv.slice(2);
if (!workDir || !controller || !bumpIso || !endIso || !canarySteps) {
  process.stderr.write(
    'usage: node bench/reaudit.ts <workDir> <controller> <bump ISO> <end ISO> <canary steps> [max steps per app]\n',
  );
  process.exit(2);
}
const auditLog = join(workDir, 'audit.log');
const user = `system:serviceaccount:bench-system:${controller}`;
const bump = Date.parse(bumpIso);
const apps = new Set<string>();
for await (const line of auditLines(auditLog)) {
  const name = /"name":"(app-\d{4,})(?:[-."])/.exec(line)?.[1];
  if (name) apps.add(name);
}
const bumps = new Map([...apps].map((app) => [app, bump]));
const cap = maxSteps ? Number(maxSteps) : Infinity;
const steps = new Map([...apps].map((app) => [app, cap]));
const whole = await countRequests(auditLog, user, bump, Date.parse(endIso));
const perStep = await requestsPerWeightStep(auditLog, user, bumps, steps);
process.stdout.write(
  `${controller}: ${whole.total} requests from ${bumpIso} to ${endIso}, ${(whole.total / Number(canarySteps)).toFixed(2)} per canary step (${canarySteps} steps)\n` +
    `per weight step while releasing: ${perStep.perStep} over ${perStep.steps} steps: ${JSON.stringify(perStep.byVerbResource)}\n`,
);
