/**
 * The benchmark's output: a plain-text table for the terminal, the whole result as JSON, and an
 * SVG chart written by hand (no native charting dependency to install on a CI box).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export type Verdict = 'PASS' | 'MISS';

export interface Target {
  op: '<=' | '>=';
  value: number;
}

export interface Figure {
  key: string;
  label: string;
  /** Null when the run could not measure it (said why in `note`). */
  value: number | null;
  unit: string;
  target?: Target;
  verdict?: Verdict;
  note?: string;
}

export interface Series {
  name: string;
  unit: string;
  /** [seconds since the scenario started, value] */
  points: [number, number][];
}

export interface Marker {
  t: number;
  label: string;
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  startedAt: string;
  finishedAt: string;
  wallS: number;
  short: boolean;
  command: string;
  options: Record<string, unknown>;
  environment: Record<string, unknown>;
  figures: Figure[];
  series: Series[];
  markers: Marker[];
  notes: string[];
  details: Record<string, unknown>;
}

/** A figure with its verdict decided from the target; a figure that could not be measured misses. */
export function figure(key: string, label: string, value: number | null, unit: string, target?: Target, note?: string): Figure {
  const f: Figure = { key, label, value: value === null || !Number.isFinite(value) ? null : round(value), unit };
  if (target) {
    f.target = target;
    f.verdict = f.value !== null && (target.op === '<=' ? f.value <= target.value : f.value >= target.value) ? 'PASS' : 'MISS';
  }
  if (note) f.note = note;
  return f;
}

export function round(v: number): number {
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 1 : abs >= 1 ? 2 : 4;
  return Number(v.toFixed(digits));
}

function formatValue(value: number | null, unit: string): string {
  if (value === null) return 'not measured';
  const text = Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en-US') : String(value);
  return unit === '' ? text : `${text} ${unit}`;
}

export function formatTable(result: ScenarioResult): string {
  const rows = result.figures.map((f) => [
    f.label,
    formatValue(f.value, f.unit),
    f.target ? `${f.target.op === '<=' ? '≤' : '≥'} ${formatValue(f.target.value, f.unit)}` : '',
    f.verdict ?? '',
  ]);
  const header = ['figure', 'value', 'target', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [
    `== ${result.scenario}: ${result.title} (${result.short ? 'short' : 'full'} run, ${result.wallS.toFixed(0)} s)`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
  for (const f of result.figures) if (f.note) out.push(`  * ${f.label}: ${f.note}`);
  for (const n of result.notes) out.push(`  - ${n}`);
  return out.join('\n');
}

// ---- SVG ------------------------------------------------------------------------------------------

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function num(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 10) / 10) : '0';
}

/** A step of 1, 2 or 5 × 10^k that splits `range` into about `parts` intervals. */
function niceStep(range: number, parts: number): number {
  if (!(range > 0)) return 1;
  const raw = range / parts;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = raw / pow;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * pow;
}

function tickLabel(v: number): string {
  if (Math.abs(v) >= 1000) return `${num(v / 1000)}k`;
  return num(v);
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/** Small multiples: one panel per series over a shared time axis, then the figures against their targets. */
export function renderSvg(result: ScenarioResult): string {
  const width = 900;
  const left = 70;
  const right = 20;
  const panelH = 130;
  const gap = 36;
  const top = 76;
  const plotW = width - left - right;
  const series = result.series.filter((s) => s.points.length > 0);
  const tMax = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[0])), ...result.markers.map((m) => m.t));
  const xStep = niceStep(tMax, 10);
  const x = (t: number) => left + (t / tMax) * plotW;
  const parts: string[] = [];
  parts.push(`<text x="${left}" y="24" font-size="16" font-weight="bold">${esc(`${result.scenario}: ${result.title}`)}</text>`);
  parts.push(`<text x="${left}" y="42" font-size="11" fill="#555">${esc(`${result.startedAt} · ${result.short ? 'short' : 'full'} run · ${result.command}`)}</text>`);

  series.forEach((s, i) => {
    const y0 = top + i * (panelH + gap);
    const vMax = Math.max(...s.points.map((p) => p[1]), 0);
    const yStep = niceStep(vMax || 1, 4);
    const yTop = Math.max(yStep, Math.ceil((vMax || 1) / yStep) * yStep);
    const y = (v: number) => y0 + panelH - (v / yTop) * panelH;
    parts.push(`<g>`);
    parts.push(`<text x="${left}" y="${num(y0 - 8)}" font-size="12" font-weight="bold" fill="${COLORS[i % COLORS.length]}">${esc(`${s.name} (${s.unit})`)}</text>`);
    parts.push(`<rect x="${left}" y="${y0}" width="${plotW}" height="${panelH}" fill="none" stroke="#ccc"/>`);
    for (let v = 0; v <= yTop + yStep / 2; v += yStep) {
      parts.push(`<line x1="${left}" y1="${num(y(v))}" x2="${left + plotW}" y2="${num(y(v))}" stroke="#eee"/>`);
      parts.push(`<text x="${left - 6}" y="${num(y(v) + 4)}" font-size="10" text-anchor="end">${esc(tickLabel(v))}</text>`);
    }
    for (let t = 0; t <= tMax + xStep / 2; t += xStep) {
      parts.push(`<text x="${num(x(t))}" y="${y0 + panelH + 13}" font-size="10" text-anchor="middle">${esc(`${num(t)}s`)}</text>`);
    }
    for (const m of result.markers) {
      parts.push(`<line x1="${num(x(m.t))}" y1="${y0}" x2="${num(x(m.t))}" y2="${y0 + panelH}" stroke="#999" stroke-dasharray="4 3"/>`);
      if (i === 0) parts.push(`<text x="${num(x(m.t) + 3)}" y="${y0 + 11}" font-size="10" fill="#666">${esc(m.label)}</text>`);
    }
    const pts = s.points.map(([t, v]) => `${num(x(t))},${num(y(v))}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5"/>`);
    parts.push(`</g>`);
  });

  let yText = top + series.length * (panelH + gap) + 4;
  parts.push(`<text x="${left}" y="${yText}" font-size="13" font-weight="bold">figures</text>`);
  for (const f of result.figures) {
    yText += 17;
    const target = f.target ? `   target ${f.target.op === '<=' ? '≤' : '≥'} ${formatValue(f.target.value, f.unit)}` : '';
    const color = f.verdict === 'PASS' ? '#2ca02c' : f.verdict === 'MISS' ? '#d62728' : '#333';
    parts.push(`<text x="${left}" y="${yText}" font-size="12"><tspan>${esc(`${f.label}: ${formatValue(f.value, f.unit)}${target}`)}</tspan>` +
      (f.verdict ? `<tspan dx="8" font-weight="bold" fill="${color}">${f.verdict}</tspan>` : '') + `</text>`);
  }
  const height = yText + 20;
  return `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n` +
    `<rect width="${width}" height="${height}" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}

export interface WrittenFiles {
  json: string;
  svg: string;
}

export async function writeResult(dir: string, result: ScenarioResult): Promise<WrittenFiles> {
  await mkdir(dir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const base = path.join(dir, `${result.scenario}-${stamp}`);
  await writeFile(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(`${base}.svg`, renderSvg(result));
  return { json: `${base}.json`, svg: `${base}.svg` };
}
