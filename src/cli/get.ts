/** `kanaria get canary NAME [--watch]`: the state of one Canary and what it owns. */
import type { Command } from 'commander';
import type { Kube } from '../kube/client.ts';
import { connect, notFound, run, withKubeFlags, type KubeFlags } from './common.ts';
import { loadCanaryObjects, type CachedReads } from './load.ts';
import { namespaceCaches } from './namespace-caches.ts';
import { renderCanaryView } from './render.ts';
import { buildCanaryView } from './view.ts';

interface GetFlags extends KubeFlags {
  watch?: boolean;
}

export const CLEAR_SCREEN = '\x1b[2J\x1b[H';
/** Changes closer together than this make one frame. */
const DEBOUNCE_MS = 100;
/** On a terminal the ages tick: redraw at least this often. */
const TTY_REFRESH_MS = 5000;

export function registerGet(program: Command): void {
  const get = program.command('get').description('show Kanaria resources');
  withKubeFlags(
    get
      .command('canary')
      .alias('canaries')
      .description('show a Canary: phase, weight, checks, images, events and the objects it owns')
      .argument('<name>', 'Canary name'),
  )
    .option('-w, --watch', 'redraw on every change until Ctrl-C')
    .action(
      run(async (name: string, flags: GetFlags) => {
        const { kube, namespace } = connect(flags);
        const tty = process.stdout.isTTY === true;
        const color = tty && !process.env.NO_COLOR;
        if (flags.watch) return watch(kube, namespace, name, tty, color);
        const objects = await loadCanaryObjects(kube, namespace, name);
        if (!objects) throw notFound(name, namespace);
        process.stdout.write(renderCanaryView(buildCanaryView(objects, Date.now()), { color }));
      }),
    );
}

async function watch(
  kube: Kube,
  namespace: string,
  name: string,
  tty: boolean,
  color: boolean,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let drawing: Promise<void> = Promise.resolve();
  let last = '';
  let frames = 0;

  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      drawing = drawing.then(draw, draw);
    }, DEBOUNCE_MS);
  };
  const { caches, synced, stop } = namespaceCaches(kube, namespace, schedule);
  const cached: CachedReads = {
    canary: (ns, n) => caches.canaries.get(n, ns),
    deployment: (ns, n) => caches.deployments.get(n, ns),
    ingress: (ns, n) => caches.ingresses.get(n, ns),
    events: (ns, n) => caches.events.list(ns).filter((e) => e.regarding?.name === n),
  };

  async function draw(): Promise<void> {
    let text: string;
    try {
      const objects = await loadCanaryObjects(kube, namespace, name, cached);
      text = objects
        ? renderCanaryView(buildCanaryView(objects, Date.now()), { color })
        : `canary ${name} not found in namespace ${namespace}; waiting for it\n`;
    } catch (err) {
      process.stderr.write(`refresh failed: ${err instanceof Error ? err.message : String(err)}\n`);
      return;
    }
    if (text === last) return;
    last = text;
    if (tty) process.stdout.write(`${CLEAR_SCREEN}${text}`);
    else process.stdout.write(`${frames === 0 ? '' : '\n'}${text}`);
    frames++;
  }

  await synced;
  await draw();
  const ticker = tty ? setInterval(schedule, TTY_REFRESH_MS) : undefined;
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  if (ticker) clearInterval(ticker);
  if (timer) clearTimeout(timer);
  await stop();
  await drawing;
}
