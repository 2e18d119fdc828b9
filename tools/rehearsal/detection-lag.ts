/**
 * Detection lag per wait: from the moment its condition became true to the start of the next state, both
 * on the wait's own clock (wait-episodes.ts). The next state is the first one entered after the waiting
 * task returned, in the same Map iteration as the wait (or at the top level when the iteration ended).
 */
import { WAIT_KINDS, WaitCompletionModel, WaitEpisode } from './wait-episodes';

/** A state entered, as the execution's events give it (index: the Map iteration, absent at the top level). */
export interface EnteredState {
  readonly name: string;
  readonly index?: number;
  readonly at: number;
}

export interface WaitLag {
  readonly state: string;
  readonly kind: string;
  /** When the condition became true, seconds into the wait. */
  readonly trueAtSeconds: number;
  readonly lagMs: number;
  readonly looks: number;
  readonly invocations: number;
  readonly nextState: string;
}

export interface LagFigures {
  readonly waits: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

export interface DetectionLagReport extends LagFigures {
  readonly model: WaitCompletionModel;
  readonly byKind: Record<string, LagFigures>;
  readonly lags: WaitLag[];
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function lagFigures(lags: number[]): LagFigures {
  const sorted = [...lags].sort((a, b) => a - b);
  return { waits: sorted.length, medianMs: percentile(sorted, 50), p95Ms: percentile(sorted, 95), maxMs: sorted[sorted.length - 1] ?? 0 };
}

function nextEntered(episode: WaitEpisode, entered: readonly EnteredState[]): EnteredState | undefined {
  const own = entered.filter((e) => e.name === episode.state && e.at <= episode.startedAt).pop();
  const after = entered.filter((e) => e.at >= (episode.endedAt ?? Infinity) && e.name !== episode.state);
  return after.find((e) => e.index === own?.index) ?? after.find((e) => e.index === undefined);
}

export function detectionLags(episodes: readonly WaitEpisode[], entered: readonly EnteredState[], model: WaitCompletionModel): DetectionLagReport {
  const lags: WaitLag[] = [];
  for (const episode of episodes) {
    if (episode.outcome !== 'done') continue;
    const next = nextEntered(episode, entered);
    if (!next) continue;
    lags.push({
      state: episode.state,
      kind: WAIT_KINDS[episode.handler],
      trueAtSeconds: Math.round(episode.trueAt()) / 1000,
      lagMs: Math.round(episode.local(next.at) - episode.trueAt()),
      looks: episode.looks,
      invocations: episode.invocations,
      nextState: next.name,
    });
  }
  const byKind: Record<string, LagFigures> = {};
  for (const kind of new Set(lags.map((l) => l.kind))) byKind[kind] = lagFigures(lags.filter((l) => l.kind === kind).map((l) => l.lagMs));
  return { model, ...lagFigures(lags.map((l) => l.lagMs)), byKind, lags };
}
