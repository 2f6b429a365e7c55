/**
 * The release report as a test artifact: `kanaria report` writes the HTML of a finished release, headless
 * Chromium (hack/render-report-png.sh) renders it to a PNG, both kept in artifacts/e2e/.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { promisify } from 'node:util';
import { REPO, runCli } from '../test/integration/cli/support.ts';

const run = promisify(execFile);
export const ARTIFACTS = resolve(REPO, 'artifacts/e2e');

export interface RenderedReport {
  htmlPath: string;
  pngPath: string;
  html: string;
  /** Names of the metric panels, in order. */
  panels: string[];
  width: number;
  height: number;
  /** Distinct byte values of the decoded image rows: a blank page has a handful. */
  distinctBytes: number;
}

/** Width, height and the inflated pixel rows of a PNG (8-bit RGB/RGBA, as Chromium writes). */
function decodePng(png: Buffer): { width: number; height: number; rows: Buffer } {
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString('ascii');
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
    } else if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  return { width, height, rows: inflateSync(Buffer.concat(data)) };
}

export async function renderReportArtifact(
  namespace: string,
  name: string,
  scenario: string,
): Promise<RenderedReport> {
  await mkdir(ARTIFACTS, { recursive: true });
  const htmlPath = resolve(ARTIFACTS, `${scenario}-report.html`);
  const pngPath = resolve(ARTIFACTS, `${scenario}-report.png`);
  const result = await runCli(['report', name, '-n', namespace, '-o', htmlPath]);
  if (result.code !== 0) throw new Error(`kanaria report failed (${result.code}): ${result.stderr}`);
  await run('bash', [resolve(REPO, 'hack/render-report-png.sh'), htmlPath, pngPath], { timeout: 120_000 });
  const html = await readFile(htmlPath, 'utf8');
  const { width, height, rows } = decodePng(await readFile(pngPath));
  const panels = [...html.matchAll(/<section class="panel metric" data-metric="([^"]*)">/g)].map((m) => m[1]);
  return { htmlPath, pngPath, html, panels, width, height, distinctBytes: new Set(rows).size };
}
