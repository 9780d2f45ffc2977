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

/** The shared settings of one bench invocation. */
export interface BenchContext {
  runs: number;
  /** Events in the replay topic and books in the shelf topic. */
  events: number;
  log: (message: string) => void;
  /** Topics made by this invocation, deleted at the end. */
  topics: string[];
}
