/** `kanaria report NAME [-o FILE]`: the release report of a Canary as one HTML file. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { renderReleaseReport } from '../report/html.ts';
import { reportInputOf } from '../report/from-status.ts';
import { CliError, connect, mustReadCanary, run, withKubeFlags, type KubeFlags } from './common.ts';

interface ReportFlags extends KubeFlags {
  output?: string;
}

/** Where the report goes without -o: `<name>-report.html` in the working directory. */
export function defaultReportFile(name: string): string {
  return `${name}-report.html`;
}

export function registerReport(program: Command): void {
  withKubeFlags(
    program
      .command('report')
      .description(
        "write the release report of a Canary (weight, every metric against its threshold or the control, each interval's verdict) as one HTML file",
      )
      .argument('<name>', 'Canary name'),
  )
    .option('-o, --output <file>', 'file to write (default: <name>-report.html in the current directory)')
    .action(
      run(async (name: string, flags: ReportFlags) => {
        const { kube, namespace } = connect(flags);
        const canary = await mustReadCanary(kube, namespace, name);
        const source = reportInputOf(canary);
        if (!source.ok) throw new CliError(`canary ${name} in namespace ${namespace}: ${source.message}`);
        const file = resolve(flags.output ?? defaultReportFile(name));
        try {
          await writeFile(file, renderReleaseReport(source.input));
        } catch (err) {
          throw new CliError(`cannot write the report to ${file}: ${(err as Error).message}`);
        }
        const current = canary.status?.revision;
        if (current && source.input.revision !== current)
          process.stderr.write(
            `note: the report is about revision ${source.input.revision}, the last one analysed; the current release is revision ${current}\n`,
          );
        process.stdout.write(`${file}\n`);
      }),
    );
}
