import { Topology, TopologyMember } from './topology';

/**
 * The rolling upgrade's cluster-level expectations (issue 10 item 3), beyond the stage gate's member
 * count: how many primaries and secondaries host the gate's database, and how far the servers' last
 * committed transactions may be apart. Each finding is a sentence that fails the gate.
 */
export interface ClusterExpectations {
  readonly primaries?: number;
  readonly secondaries?: number;
  /** Largest allowed difference of lastCommittedTxn between the servers hosting one database. */
  readonly maxTransactionLag?: number;
}

export interface RoleCounts {
  readonly primaries: number;
  readonly secondaries: number;
}

type Row = Record<string, unknown>;

/** primary (5.x), LEADER / FOLLOWER (4.4 cores), master / slave (3.5 HA), standalone: all hold a primary copy. */
const PRIMARY = /^(primary|leader|follower|master|slave|standalone)\b/i;
/** secondary (5.x), READ_REPLICA (4.4). */
const SECONDARY = /^(secondary|read_replica)\b/i;

export function roleCounts(members: readonly TopologyMember[]): RoleCounts {
  return {
    primaries: members.filter((m) => PRIMARY.test(m.role)).length,
    secondaries: members.filter((m) => SECONDARY.test(m.role)).length,
  };
}

export function roleProblems(counts: RoleCounts, expected: ClusterExpectations, database: string): string[] {
  const problems: string[] = [];
  if (expected.primaries !== undefined && counts.primaries !== expected.primaries) {
    problems.push(`database ${database} has ${counts.primaries} primary copies on available servers, expected ${expected.primaries}`);
  }
  if (expected.secondaries !== undefined && counts.secondaries !== expected.secondaries) {
    problems.push(`database ${database} has ${counts.secondaries} secondary copies on available servers, expected ${expected.secondaries}`);
  }
  return problems;
}

/**
 * Per database, the spread of lastCommittedTxn over the servers that host it (SHOW DATABASES rows, one
 * per database and server). A database on one server has no spread. With several servers, a server that
 * reports no transaction id cannot be compared, so the gate holds rather than guess.
 */
export function transactionLagProblems(databases: readonly Row[], maxLag: number): string[] {
  const byName = new Map<string, Row[]>();
  for (const row of databases) byName.set(String(row.name), [...(byName.get(String(row.name)) ?? []), row]);
  const problems: string[] = [];
  for (const [name, rows] of byName) {
    if (rows.length < 2) continue;
    const unknown = rows.filter((r) => typeof r.lastCommittedTxn !== 'number');
    if (unknown.length > 0) {
      problems.push(`database ${name}: server(s) ${unknown.map((r) => String(r.address)).join(', ')} report no last committed transaction id, so convergence cannot be checked`);
      continue;
    }
    const ids = rows.map((r) => r.lastCommittedTxn as number);
    const newest = Math.max(...ids);
    const behind = rows.filter((r) => newest - (r.lastCommittedTxn as number) > maxLag);
    if (behind.length > 0) {
      problems.push(
        `database ${name}: last committed transaction ${newest} on the newest server, ` +
        `${behind.map((r) => `${String(r.lastCommittedTxn)} on ${String(r.address)}`).join(', ')}, more than ${maxLag} behind`);
    }
  }
  return problems;
}

/** 5.x and later list lastCommittedTxn per database and server; 4.4's SHOW DATABASES and 3.5 do not. */
export function transactionIdsReported(topology: Topology): boolean {
  return topology.kind === 'servers' || (topology.kind === 'standalone' && topology.databases.some((d) => 'lastCommittedTxn' in d));
}
