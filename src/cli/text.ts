/** Terminal text: aligned columns, status symbols with optional ANSI colours, times and ages. Pure. */
import type { Tone } from './view.ts';

export interface RenderOptions {
  /** ANSI colours; only for terminals. */
  color?: boolean;
}

const SYMBOL: Record<Tone, string> = { ok: '✔', progress: '◌', paused: '॥', failed: '✖', idle: '○' };
const COLOR: Record<Tone, number> = { ok: 32, progress: 36, paused: 33, failed: 31, idle: 90 };

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
/** Characters shown, without ANSI colour codes. */
export const width = (s: string) => [...s.replace(ANSI, '')].length;
export const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

export function paint(text: string, tone: Tone | undefined, opts: RenderOptions): string {
  return opts.color && tone ? `\x1b[${COLOR[tone]}m${text}\x1b[0m` : text;
}

export function withSymbol(text: string, tone: Tone | undefined, opts: RenderOptions): string {
  return paint(tone ? `${SYMBOL[tone]} ${text}` : text, tone, opts);
}

/** Columns aligned on the widest cell; the last column is not padded. */
export function table(rows: string[][], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))));
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : pad(cell, widths[i])))
        .join('  ')
        .trimEnd(),
  );
}

/** RFC 3339 to the second, as kubectl prints times. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A short age as kubectl prints it: 42s, 3m10s, 5h2m, 3d4h. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
}
