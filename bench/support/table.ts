/** The results as one Markdown table, ready for the terminal and for the README. */
import type { Figure } from './figure.js';
import type { Spread } from './stats.js';

export interface Results {
  machine: { date: string; cores: number; cpu: string; memoryGiB: number; node: string; loadAverage: number[]; loadAverageAfter: number[] };
  runs: number;
  events: number;
  minutes: number;
  figures: Figure[];
}

function number(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

const withRange = (s: Spread): string => `${number(s.median)} (${number(s.min)}–${number(s.max)})`;

export function renderTable({ machine, runs, minutes, figures }: Results): string {
  const header = [
    `Run ${machine.date.slice(0, 16).replace('T', ' ')} UTC · ${machine.cores} cores (${machine.cpu}) · ${machine.memoryGiB} GiB · Node ${machine.node}`,
    `· load ${machine.loadAverage.join(' ')} · median (min–max) of ${runs} runs · ${minutes.toFixed(1)} min`,
  ].join(' ');
  const rows = [
    '| | figure | Bookshelf | baseline | ratio | goal | met |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...figures.map(
      (f) =>
        `| ${f.id} | ${f.what} | ${withRange(f.value)} ${f.unit} | ${withRange(f.baseline)} ${f.unit} (${f.baselineName}) | ${number(f.ratio.median)} | ${f.goal} | ${f.met === null ? '–' : f.met ? 'yes' : 'no'} |`,
    ),
  ];
  return [header, '', ...rows].join('\n');
}
