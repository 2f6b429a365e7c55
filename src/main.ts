import { Command } from 'commander';
import { registerController } from './cli/controller.ts';
import { registerDevCluster } from './cli/dev-cluster.ts';
import { registerConvert } from './cli/convert.ts';
import { registerGate } from './cli/gate.ts';
import { registerDemo } from './cli/demo.ts';
import { registerGet } from './cli/get.ts';
import { registerList } from './cli/list.ts';
import { registerMigrate } from './cli/migrate.ts';
import { registerReport } from './cli/report.ts';
import { registerAbort, registerPromote, registerResume } from './cli/requests.ts';
import { registerStatus } from './cli/status.ts';

const program = new Command();
program
  .name('kanaria')
  .description('Progressive delivery for Kubernetes behind ingress-nginx or a Gateway API Gateway')
  .showHelpAfterError();
registerController(program);
registerDevCluster(program);
registerGet(program);
registerList(program);
registerPromote(program);
registerAbort(program);
registerResume(program);
registerMigrate(program);
registerStatus(program);
registerReport(program);
registerConvert(program);
registerGate(program);
registerDemo(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
