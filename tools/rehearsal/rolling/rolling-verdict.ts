/**
 * What the rolling rehearsal reports and checks (pure: the servers' outages, the gate's passes, the
 * client's attempts): per server when it went down, for how long, when the cluster gate passed after it
 * came back, and the client transactions that failed or were retried meanwhile; the order; how many
 * servers were down at once; transactions lost; volumes deleted.
 */
import type { ExecutionReport } from '../types';
import type { WorkloadResult } from '../workload/client-workload';
import type { RollingWorld } from './rolling-world';
import { maxDownAtOnce, ServerSet } from './server-set';

export interface ServerFigures {
  readonly server: number;
  readonly leaderAtStart: boolean;
  /** From the execution's start (ms). */
  readonly downAtMs: number;
  readonly downMs: number;
  /** The first cluster gate that ended after the server was back (ms from the start); absent: none did. */
  readonly gatePassedAtMs?: number;
  readonly version?: string;
  /** The client between the server going down and the gate passing. */
  readonly client: { failedAttempts: number; retried: number; lost: number };
}

export interface RollingFigures {
  readonly servers: ServerFigures[];
  readonly order: number[];
  readonly expectedOrder: number[];
  readonly maxDownAtOnce: number;
  readonly elections: string[];
  readonly client: ClientTotals;
  readonly worldErrors: string[];
}

/** The client workload over the whole run: transactions committed, retried and lost per operation, failed attempts, writes missing on read-back. */
export interface ClientTotals {
  readonly writes: { committed: number; retried: number; lost: number };
  readonly reads: { committed: number; retried: number; lost: number };
  readonly failedAttempts: { real: number; derived: number };
  readonly acknowledgedMissing: number;
}

export function clientTotals(workload: WorkloadResult): ClientTotals {
  const count = (op: string) => ({
    committed: workload.transactions.filter((t) => t.op === op && t.outcome === 'committed').length,
    retried: workload.transactions.filter((t) => t.op === op && t.attempts > 1).length,
    lost: workload.transactions.filter((t) => t.op === op && t.outcome === 'lost').length,
  });
  return {
    writes: count('write'), reads: count('read'),
    failedAttempts: { real: workload.attempts.filter((a) => a.failure === 'real').length, derived: workload.attempts.filter((a) => a.failure === 'derived').length },
    acknowledgedMissing: workload.readBack.acknowledgedMissing.length,
  };
}

export interface FigureInputs {
  readonly servers: ServerSet;
  readonly world: Pick<RollingWorld, 'state' | 'worldErrors'>;
  readonly gatePasses: ReadonlyArray<{ state: string; at: number }>;
  readonly workload: WorkloadResult;
  readonly startedAt: number;
}

/** The documented order: every server but the leader by number, the leader last. */
export function expectedOrder(indices: readonly number[], leader: number): number[] {
  return [...indices.filter((i) => i !== leader).sort((a, b) => a - b), leader];
}

export function rollingFigures(i: FigureInputs): RollingFigures {
  const layout = i.world.state.layout;
  const firstLeader = layout.find((s) => s.role === 'primary')?.index ?? layout[0].index;
  const outages = [...i.servers.outages].sort((a, b) => a.downAt - b.downAt);
  const servers = outages.map((o): ServerFigures => {
    const up = o.upAt ?? Date.now();
    const gate = i.gatePasses.find((g) => g.at >= up);
    const end = gate?.at ?? up;
    const during = (t: number) => t >= o.downAt && t <= end;
    const txs = i.workload.transactions.filter((t) => during(t.firstAttemptAt) || during(t.lastAttemptEndedAt));
    return {
      server: o.server, leaderAtStart: o.server === firstLeader, downAtMs: o.downAt - i.startedAt, downMs: up - o.downAt,
      ...(gate && { gatePassedAtMs: gate.at - i.startedAt }),
      ...(i.servers.server(o.server).player.runningVersion && { version: i.servers.server(o.server).player.runningVersion }),
      client: {
        failedAttempts: i.workload.attempts.filter((a) => a.failure && during(a.at)).length,
        retried: txs.filter((t) => t.attempts > 1).length,
        lost: txs.filter((t) => t.outcome === 'lost').length,
      },
    };
  });
  return {
    servers,
    order: servers.map((s) => s.server),
    expectedOrder: expectedOrder(layout.map((s) => s.index), firstLeader),
    maxDownAtOnce: maxDownAtOnce(outages),
    elections: i.world.state.elections.map((e) => `${e.from} -> ${e.to ?? 'none'}`),
    client: clientTotals(i.workload),
    worldErrors: [...i.world.worldErrors],
  };
}

export function rollingProblems(f: RollingFigures, execution: Pick<ExecutionReport, 'status' | 'endState' | 'error' | 'volumes'>, target: string): string[] {
  const problems: string[] = [];
  if (execution.status !== 'SUCCEEDED') problems.push(`the execution ${execution.status} at "${execution.endState ?? '?'}": ${execution.error?.name ?? ''} ${execution.error?.message?.slice(0, 300) ?? ''}`);
  if (JSON.stringify(f.order) !== JSON.stringify(f.expectedOrder)) problems.push(`servers rolled in the order ${f.order.join(', ')}, documented ${f.expectedOrder.join(', ')}`);
  if (f.maxDownAtOnce > 1) problems.push(`${f.maxDownAtOnce} servers down at the same moment`);
  const lost = f.client.writes.lost + f.client.reads.lost;
  if (lost > 0 || f.client.acknowledgedMissing > 0) problems.push(`client transactions lost after retries: ${lost}, acknowledged writes missing: ${f.client.acknowledgedMissing}`);
  if (execution.volumes.deleted.length > 0) problems.push(`data volumes deleted: ${execution.volumes.deleted.map((v) => v.volumeId).join(', ')}`);
  for (const s of f.servers) {
    if (s.version !== target) problems.push(`server ${s.server} runs ${s.version ?? 'nothing'}, not ${target}`);
    if (s.gatePassedAtMs === undefined) problems.push(`no cluster gate passed after server ${s.server} came back`);
  }
  problems.push(...f.worldErrors);
  return problems;
}
