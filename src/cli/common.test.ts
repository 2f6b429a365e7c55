import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { countOfOneOrMore } from './common.ts';

/** Parses `args` with one `--workers` option the way the controller command declares it. */
function parseWorkers(args: string[]): { workers?: number; error?: string } {
  let error: string | undefined;
  const cmd = new Command()
    .exitOverride()
    .configureOutput({ writeErr: (text) => (error = text), writeOut: () => {} })
    .option('--workers <n>', 'canaries reconciled in parallel', countOfOneOrMore, 16);
  try {
    cmd.parse(args, { from: 'user' });
  } catch {
    return { error };
  }
  return { workers: cmd.opts<{ workers: number }>().workers };
}

describe('countOfOneOrMore', () => {
  it('takes a whole number of 1 or more, and the default when the option is left out', () => {
    expect(parseWorkers(['--workers', '32'])).toEqual({ workers: 32 });
    expect(parseWorkers(['--workers', '1'])).toEqual({ workers: 1 });
    expect(parseWorkers([])).toEqual({ workers: 16 });
  });

  it.each(['0', '-4', '2.5', 'abc', ' '])(
    'refuses %j with a message naming the option and the fix',
    (value) => {
      const { workers, error } = parseWorkers(['--workers', value]);
      expect(workers).toBeUndefined();
      expect(error).toContain("option '--workers <n>' argument");
      expect(error).toContain('Give a whole number of 1 or more');
    },
  );
});
