import { Command } from 'commander';
import { registerController } from './cli/controller.ts';
import { registerDevCluster } from './cli/dev-cluster.ts';

const program = new Command();
program
  .name('kanaria')
  .description('Progressive delivery for Kubernetes behind ingress-nginx')
  .showHelpAfterError();
registerController(program);
registerDevCluster(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
