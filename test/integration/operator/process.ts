import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../src/devcluster/ports.ts';

const bin = resolve(fileURLToPath(import.meta.url), '../../../../bin/kanaria.js');

export { freePort };

/**
 * The operator as its own process (`kanaria controller …`), its output kept for assertions. It listens on
 * free ports: metrics and health on `url`, the gate API on `gateUrl` (unless `--no-gate`).
 */
export class OperatorProcess {
  readonly child: ChildProcess;
  output = '';
  readonly url: string;
  readonly gateUrl: string;

  constructor(args: string[], port: number, gatePort: number) {
    this.url = `http://127.0.0.1:${port}`;
    this.gateUrl = `http://127.0.0.1:${gatePort}`;
    this.child = spawn(
      process.execPath,
      [
        bin,
        'controller',
        '--listen-address',
        `127.0.0.1:${port}`,
        '--gate-listen-address',
        `127.0.0.1:${gatePort}`,
        ...args,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child.stdout!.on('data', (c) => (this.output += String(c)));
    this.child.stderr!.on('data', (c) => (this.output += String(c)));
  }

  static async start(args: string[]): Promise<OperatorProcess> {
    const port = await freePort();
    let gatePort = await freePort();
    while (gatePort === port) gatePort = await freePort();
    return new OperatorProcess(args, port, gatePort);
  }

  async metrics(): Promise<string> {
    const res = await fetch(`${this.url}/metrics`);
    return res.text();
  }

  async isLeader(): Promise<boolean> {
    try {
      return /^kanaria_leader 1$/m.test(await this.metrics());
    } catch {
      return false;
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((r) => {
      this.child.once('exit', () => r());
      this.child.kill(signal);
    });
  }
}
