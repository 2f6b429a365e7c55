/** `kanaria convert -f FILE`: Flagger documents in, kanaria.dev/v1beta1 documents out. */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ConversionError, formatFinding } from '../convert/convert.ts';
import { convertYaml } from '../convert/yaml.ts';
import { CliError, run } from './common.ts';

interface ConvertFlags {
  filename: string;
  output?: string;
  /** Accepted like on every command; conversion needs no cluster. */
  kubeconfig?: string;
}

async function readInput(file: string): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('convert Flagger Canary, MetricTemplate and AlertProvider manifests to Kanaria')
    .requiredOption('-f, --filename <file>', 'YAML file to convert (- reads stdin)')
    .option('-o, --output <file>', 'write the converted YAML to this file instead of stdout')
    .option('--kubeconfig <path>', 'unused: conversion reads no cluster')
    .action(
      run(async (flags: ConvertFlags) => {
        let text: string;
        try {
          text = await readInput(flags.filename);
        } catch (err) {
          throw new CliError(`cannot read ${flags.filename}: ${(err as Error).message}`, 1, { cause: err });
        }
        let result: ReturnType<typeof convertYaml>;
        try {
          result = convertYaml(text);
        } catch (err) {
          if (err instanceof ConversionError)
            throw new CliError(`${flags.filename}: ${err.message}`, 1, { cause: err });
          throw err;
        }
        for (const w of result.warnings) process.stderr.write(`warning: ${formatFinding(w)}\n`);
        if (flags.output) {
          await writeFile(flags.output, result.yaml);
          process.stderr.write(`wrote ${flags.output}\n`);
        } else process.stdout.write(result.yaml);
      }),
    );
}
