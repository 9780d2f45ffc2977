/**
 * The figures each fault test saw on its last run, kept in test-results/reliability.json (and the same as a
 * Markdown table in test-results/reliability.md) so that the README's "Reliability" section can quote them.
 * The tests' own output folder, as the screenshots: .bench/ is the bench's.
 */
import { cpus } from 'node:os';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../harness/repo-root.js';

const dir = join(repoRoot, 'test-results');
const jsonFile = join(dir, 'reliability.json');
const markdownFile = join(dir, 'reliability.md');

export type Figures = Record<string, number | string | boolean>;

export interface ReliabilityEntry {
  /** What the test does to the system. */
  fault: string;
  /** What it checks afterwards. */
  guarantee: string;
  figures: Figures;
  at: string;
  machine: string;
}

function readAll(): Record<string, ReliabilityEntry> {
  try {
    return JSON.parse(readFileSync(jsonFile, 'utf8')) as Record<string, ReliabilityEntry>;
  } catch {
    return {};
  }
}

function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const format = (value: number | string | boolean): string =>
  typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(1) : String(value);

export function reliabilityMarkdown(entries: Record<string, ReliabilityEntry>): string {
  const rows = Object.entries(entries).map(
    ([name, entry]) =>
      `| ${name} | ${entry.fault} | ${entry.guarantee} | ${Object.entries(entry.figures)
        .map(([key, value]) => `${key} ${format(value)}`)
        .join(', ')} |`,
  );
  return ['| test | fault | guarantee | figures (last run) |', '| --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}

/** Records what one test saw; a later run of the same test replaces it. */
export function recordReliability(name: string, entry: Omit<ReliabilityEntry, 'at' | 'machine'>): void {
  mkdirSync(dir, { recursive: true });
  const all = readAll();
  all[name] = { ...entry, at: new Date().toISOString(), machine: `${cpus().length} cores, Node ${process.versions.node}` };
  writeAtomically(jsonFile, `${JSON.stringify(all, null, 2)}\n`);
  writeAtomically(markdownFile, reliabilityMarkdown(all));
}

/** Milliseconds as seconds with one decimal, for figures people read. */
export const seconds = (ms: number): number => Math.round(ms / 100) / 10;
