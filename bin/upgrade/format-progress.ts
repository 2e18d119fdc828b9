/** An execution's progress as lines for a person: one per stage, then the step, waits, retries and approval. */
import { ExecutionProgress, StageProgress } from './execution-progress';

const MARK: Record<StageProgress['status'], string> = { 'not-started': '·', 'running': '▶', 'succeeded': '✔', 'failed': '✘' };

export function duration(ms: number): string {
  return clock(Math.round(ms / 1000));
}

/** Time left, rounded down so it never promises more than is left (59m59.6s left reads 59m59s, not 1h00m). */
export function countdown(ms: number): string {
  return clock(Math.floor(ms / 1000));
}

function clock(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function stageLine(s: StageProgress, now: Date): string {
  const took = s.startedAt ? ` ${duration((s.endedAt ?? now).getTime() - s.startedAt.getTime())}` : '';
  const what = s.status === 'running' ? `running${took}` : s.status === 'not-started' ? 'not started' : `${s.status} in${took}`;
  return `  ${MARK[s.status]} ${s.name} (${s.seedStep}): ${what}`;
}

export interface ProgressHeading {
  readonly executionArn: string;
  readonly status: string;
}

export function progressLines(heading: ProgressHeading, p: ExecutionProgress, now: Date): string[] {
  const end = p.end?.at ?? now;
  const elapsed = p.startedAt ? `, ${p.end ? 'took' : 'elapsed'} ${duration(end.getTime() - p.startedAt.getTime())}` : '';
  const lines = [`${heading.executionArn}`, `status: ${heading.status}${elapsed}${p.redrives ? ` (redriven ${p.redrives}x)` : ''}`];
  const done = p.stages.filter((s) => s.status === 'succeeded').length;
  lines.push(`stages: ${done}/${p.stages.length} done${p.pastPointOfNoReturn ? ', past the point of no return' : ''}`);
  lines.push(...p.stages.map((s) => stageLine(s, now)));
  if (!p.end && p.step) {
    const waits = p.polls > 0 ? `, waiting: ${p.polls} poll(s)` : '';
    lines.push(`step: ${p.step.name} (since ${duration(now.getTime() - p.step.since.getTime())}${waits})`);
  }
  if (p.retries > 0) lines.push(`retries: ${p.retries} (last: ${p.lastRetriedError})`);
  if (p.pendingApproval) {
    const a = p.pendingApproval;
    const expires = a.timeoutSeconds ? `, expires in ${countdown(a.since.getTime() + a.timeoutSeconds * 1000 - now.getTime())}` : '';
    lines.push(`approval pending: ${a.stage ?? a.stateName} (waiting ${duration(now.getTime() - a.since.getTime())}${expires}): ` +
      'answer with `upgrade approve` or `upgrade reject`');
  }
  if (p.failedState) lines.push(`failed at: ${p.failedState}${p.lastError ? `: ${p.lastError.error}: ${p.lastError.cause.slice(0, 300)}` : ''}`);
  if (p.end && p.end.status !== 'SUCCEEDED' && (p.end.error || p.end.cause)) {
    lines.push(`ended: ${p.end.error ?? ''}${p.end.cause ? `: ${p.end.cause.slice(0, 300)}` : ''}`);
  }
  return lines;
}
