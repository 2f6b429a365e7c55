#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ (`npm run build`) when it is current: it exists and no source
// file has changed since the build started (dist/.build-started). Otherwise runs the TypeScript
// sources as they are, by Node's type stripping. Compiled, the controller gets ready with about 30 %
// less CPU and holds about 30 MiB less memory, as Node never loads its TypeScript stripper
// (bench/FINDINGS.md).
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

function compiledIsCurrent() {
  const built = statSync(dist + '.build-started', { throwIfNoEntry: false });
  if (!built || !statSync(dist + 'main.js', { throwIfNoEntry: false })) return false;
  let files;
  try {
    files = readdirSync(src, { recursive: true });
  } catch {
    return true; // an image that ships dist/ only
  }
  return files.every(
    (f) => !f.endsWith('.ts') || f.endsWith('.test.ts') || statSync(src + f).mtimeMs <= built.mtimeMs,
  );
}

await import(compiledIsCurrent() ? '../dist/main.js' : '../src/main.ts');
