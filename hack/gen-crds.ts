/** Writes charts/kanaria/crds/*.yaml from src/api/schema.ts. Run with `npm run gen:crds`. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crdFiles } from '../src/api/crds.ts';

async function main(): Promise<void> {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../charts/kanaria/crds');
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(crdFiles())) {
    await writeFile(join(dir, file), text);
    console.log(`wrote ${join('charts/kanaria/crds', file)}`);
  }
}

await main();
