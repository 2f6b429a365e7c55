import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kanariaRuntime } from './process.ts';

/** A checkout with src/ and, when `built` is given, dist/ built at that time (seconds since the epoch). */
function checkout(built?: number): string {
  const root = mkdtempSync(join(tmpdir(), 'kanaria-runtime-'));
  mkdirSync(join(root, 'src/controller'), { recursive: true });
  for (const file of ['src/main.ts', 'src/controller/apply.ts', 'src/controller/apply.test.ts']) {
    writeFileSync(join(root, file), '');
    utimesSync(join(root, file), 1000, 1000);
  }
  if (built !== undefined) {
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist/main.js'), '');
    writeFileSync(join(root, 'dist/.build-started'), '');
    utimesSync(join(root, 'dist/.build-started'), built, built);
  }
  return root;
}

describe('kanariaRuntime', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  it('says compiled while no source changed after the build, and ignores edited tests', () => {
    const root = checkout(2000);
    roots.push(root);
    expect(kanariaRuntime(root)).toBe('compiled (dist/)');
    utimesSync(join(root, 'src/controller/apply.test.ts'), 3000, 3000);
    expect(kanariaRuntime(root)).toBe('compiled (dist/)');
  });

  it('says TypeScript sources once a source file changed after the build, or with no build', () => {
    const root = checkout(2000);
    roots.push(root);
    utimesSync(join(root, 'src/controller/apply.ts'), 3000, 3000);
    expect(kanariaRuntime(root)).toBe('TypeScript sources');
    const unbuilt = checkout();
    roots.push(unbuilt);
    expect(kanariaRuntime(unbuilt)).toBe('TypeScript sources');
  });
});
