/** One line of the results table: Bookshelf's figure, the baseline measured in the same run, and their ratio. */
import { spread, type Spread } from './stats.js';

export interface Figure {
  id: string;
  /** What was measured, in a few words. */
  what: string;
  unit: string;
  value: Spread;
  baselineName: string;
  baseline: Spread;
  /** Bookshelf ÷ baseline, per run. */
  ratio: Spread;
  goal: string;
  /** null where there is no goal, only a figure to report. */
  met: boolean | null;
  notes?: string;
}

export interface FigureInput {
  id: string;
  what: string;
  unit: string;
  values: number[];
  baselineName: string;
  baselines: number[];
  goal: string;
  /** Whether the goal is met, from the median value and median ratio; absent when there is no goal. */
  meets?: (value: number, ratio: number) => boolean;
  notes?: string;
}

export function figure({ values, baselines, meets, ...rest }: FigureInput): Figure {
  const ratios = values.map((value, i) => value / (baselines[i] ?? baselines[0] ?? Number.NaN));
  const value = spread(values);
  const ratio = spread(ratios);
  return { ...rest, value, baseline: spread(baselines), ratio, met: meets ? meets(value.median, ratio.median) : null };
}

export interface Percentiles {
  p50: number;
  p99: number;
}

export interface PercentileInput {
  id: string;
  what: (percentile: 'p50' | 'p99') => string;
  values: Percentiles[];
  baselineName: string;
  baselines: Percentiles[];
  /** The p99's goal; the p50 is only reported. */
  p99Goal?: Pick<FigureInput, 'goal' | 'meets'>;
  /** On the p99's line. */
  notes?: string;
}

/** The p50 and p99 lines of a latency measured in each run, against the same of its baseline. */
export function percentileFigures({ id, what, values, baselineName, baselines, p99Goal, notes }: PercentileInput): Figure[] {
  const line = (p: 'p50' | 'p99') => ({
    id,
    what: what(p),
    unit: 'ms',
    values: values.map((run) => run[p]),
    baselineName,
    baselines: baselines.map((run) => run[p]),
  });
  return [
    figure({ ...line('p50'), goal: '(reported)' }),
    figure({ ...line('p99'), ...(p99Goal ?? { goal: '(reported)' }), ...(notes !== undefined && { notes }) }),
  ];
}

/** The shared settings of one bench invocation. */
export interface BenchContext {
  runs: number;
  /** Events in the replay topic and books in the shelf topic. */
  events: number;
  log: (message: string) => void;
  /** Topics made by this invocation, deleted at the end. */
  topics: string[];
}
