import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { countOfOneOrMore, portNumber } from './common.ts';
import { registerController } from './controller.ts';
import { registerDemo } from './demo.ts';

/** Parses `args` with the CLI's real commands; only refusals are parsed this way (a valid line would run). */
function refusal(args: string[]): string {
  let error = '';
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeErr: (text) => (error += text), writeOut: () => {} });
  registerController(program);
  registerDemo(program);
  expect(() => program.parse(args, { from: 'user' })).toThrow();
  return error;
}

describe('countOfOneOrMore', () => {
  it('takes a whole number of 1 or more', () => {
    expect(countOfOneOrMore('32')).toBe(32);
    expect(countOfOneOrMore('1')).toBe(1);
  });

  it.each(['0', '-4', '2.5', 'abc', ' '])(
    'kanaria controller --workers %j is refused with a message naming the option and the fix',
    (value) => {
      const error = refusal(['controller', '--workers', value]);
      expect(error).toContain("option '--workers <n>' argument");
      expect(error).toContain('Give a whole number of 1 or more');
    },
  );
});

describe('portNumber', () => {
  it('takes a port from 1 to 65535', () => {
    expect(portNumber('8089')).toBe(8089);
    expect(portNumber('1')).toBe(1);
    expect(portNumber('65535')).toBe(65535);
  });

  it.each(['0', '65536', '80.5', 'http', ''])(
    'kanaria demo loadtester --port %j is refused with a message naming the option and the fix',
    (value) => {
      const error = refusal(['demo', 'loadtester', '--port', value]);
      expect(error).toContain("option '--port <port>' argument");
      expect(error).toContain('Give a port from 1 to 65535');
    },
  );
});
