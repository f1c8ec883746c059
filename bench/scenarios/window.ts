/** Figures every load scenario computes over its measurement window. */
import type { PriorityTier } from '../../src/shared/priority';
import { crewEnd, crewLatencyMs, type Crew } from '../load';
import { stepsBetween, type StepRow } from '../measure';
import type { Series } from '../report';
import type { Run } from '../scenario';
import { bucketize, summarize, type LatencySummary } from '../stats';

export interface WindowFigures {
  windowS: number;
  steps: ReturnType<typeof stepsBetween>;
  stepsPerMin: number;
  crewsCompleted: number;
  crewsPerMin: number;
  llmCallsPerMin: number;
  latencyByTier: Partial<Record<PriorityTier, LatencySummary>>;
  /** Crews of each tier still open when the window ended: their latency is not in the percentiles. */
  openAtEndByTier: Partial<Record<PriorityTier, number>>;
  failed: number;
  statuses: Record<string, number>;
  /** Distinct failure messages (a few), so a broken run says why. */
  errors: string[];
}

/** Crews that completed inside [w0, w1]: their latency is what a user of that tier saw. */
export function completedIn(crews: Crew[], w0: number, w1: number): Crew[] {
  return crews.filter((c) => {
    const end = crewEnd(c);
    return c.status === 'completed' && end !== undefined && end >= w0 && end < w1;
  });
}

export function windowFigures(run: Run, rows: StepRow[], w0: number, w1: number): WindowFigures {
  const windowS = Math.max(0.001, (w1 - w0) / 1000);
  const steps = stepsBetween(rows, w0, w1);
  const done = completedIn(run.driver.crews, w0, w1);
  const latencyByTier: WindowFigures['latencyByTier'] = {};
  const openAtEndByTier: WindowFigures['openAtEndByTier'] = {};
  for (const tier of ['vip', 'regular', 'background'] as const) {
    const ofTier = done.filter((c) => c.tier === tier).map((c) => crewLatencyMs(c)).filter((v): v is number => v !== undefined);
    if (ofTier.length) latencyByTier[tier] = summarize(ofTier);
    const open = run.driver.crews.filter((c) => c.tier === tier && c.sentAt < w1 && (crewEnd(c) === undefined || crewEnd(c)! >= w1)).length;
    if (open) openAtEndByTier[tier] = open;
  }
  return {
    windowS,
    steps,
    stepsPerMin: (steps.steps / windowS) * 60,
    crewsCompleted: done.length,
    crewsPerMin: (done.length / windowS) * 60,
    llmCallsPerMin: (steps.llm / windowS) * 60,
    latencyByTier,
    openAtEndByTier,
    failed: run.driver.crews.filter((c) => c.status === 'failed' || c.status === 'start_failed').length,
    statuses: run.driver.crews.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.status]: (acc[c.status] ?? 0) + 1 }), {}),
    errors: [...new Set(run.driver.crews.filter((c) => c.error && c.status !== 'terminated').map((c) => c.error!))].slice(0, 5),
  };
}

/** The time series most charts show: agent steps/s, crew completions/s, open crews, busy GPU slots. */
export function standardSeries(run: Run, rows: StepRow[], t1: number, totalSlots: number): Series[] {
  const okTimes = rows.filter((r) => r.outcome === 'ok').map((r) => r.t);
  const ends = run.driver.crews.filter((c) => c.status === 'completed').map((c) => crewEnd(c)!).filter((t) => t !== undefined);
  return [
    { name: 'agent steps per second', unit: 'steps/s', points: bucketize(okTimes, run.t0, t1) },
    { name: 'crews completed per second', unit: 'crews/s', points: bucketize(ends, run.t0, t1) },
    { name: 'crews open', unit: 'crews', points: run.sampler.series('running', run.t0, run.t0, t1) },
    { name: `busy local GPU slots (of ${totalSlots})`, unit: 'slots', points: run.sampler.series('localBusy', run.t0, run.t0, t1) },
  ];
}

export function seconds(ms: number | null | undefined): number | null {
  return ms === null || ms === undefined ? null : ms / 1000;
}
