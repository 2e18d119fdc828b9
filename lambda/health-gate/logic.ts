import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BoltClient, BoltConnect, BoltCredentials, boltErrorCode } from '../shared/bolt';
import { readBoltCredentials } from '../shared/bolt-credentials';
import { ClusterContext } from '../shared/context';
import { HealthGateError, InvalidInputError } from '../shared/errors';
import { Neo4jVersion, compareVersions, parseNeo4jVersion } from '../shared/image-reference';
import { optionalString, requireInteger, requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { LookClock, LookOptions, lookOptions, lookUntilDone } from '../shared/look-until-done';
import {
  ClusterExpectations, roleCounts, roleProblems, transactionIdsReported, transactionLagProblems,
} from './cluster-expectations';
import { Topology, TopologyKind, TopologyMember, hostOf, readTopology } from './topology';

export interface HealthGateInput {
  /** Uses boltUri, credentialsSecretArn (and versionFamily, logged). */
  readonly cluster: ClusterContext;
  /** The version the upgraded nodes must report (the plan's `toVersion`, e.g. `5.26.2` or `2026.08.1`). */
  readonly expectedVersion: string;
  /** `enterprise` or `community` (the plan's `toEdition`); '' or absent: any edition. */
  readonly expectedEdition?: string;
  /** How many members this stage expects (the seed's N, or 1 while the cluster runs as a single master). */
  readonly expectedMembers: number;
  /** The database whose leader the gate counts on 4.x and 5.x. Default `neo4j`. */
  readonly database?: string;
  /** Free label for messages and logs, e.g. `single-master`. */
  readonly stage?: string;
  /**
   * The rolling upgrade's cluster-level gate: how many primaries (4.4 cores) must hold the gate's database
   * on available servers. Absent: not checked.
   */
  readonly expectedPrimaries?: number;
  /** As expectedPrimaries, for secondaries (4.4 read replicas). Absent: not checked. */
  readonly expectedSecondaries?: number;
  /**
   * Largest allowed difference of the servers' last committed transaction ids, per database (5.x and
   * later: SHOW DATABASES lastCommittedTxn). Absent: not checked. 4.4 and 3.5 report no such ids over
   * Cypher: there it is not checked and the output's notes say so.
   */
  readonly maxTransactionLag?: number;
  /**
   * Mid-roll (the rolling upgrade): the server the gate reaches may still run this version, the one before
   * the upgrade (the plan's `fromVersion`); it is accepted as well as `expectedVersion`. Absent: only
   * `expectedVersion`.
   */
  readonly acceptedPreviousVersion?: string;
  /** Look again every second within this invocation (written by the state machine); absent: one look. */
  readonly poll?: LookOptions;
}

export interface HealthGateOutput {
  readonly stage?: string;
  /** As the server reports it over Bolt (`Neo4j/<version>`), e.g. `5.26.2` or `2026.08.1`. */
  readonly serverVersion: string;
  /** From dbms.components(): `enterprise` or `community`. */
  readonly serverEdition: string;
  readonly topology: TopologyKind;
  readonly leaders: number;
  readonly members: number;
  /** The leader (HA master) as host:port, and its host (the master's private IP with host networking). */
  readonly leaderAddress: string;
  readonly leaderHost: string;
  readonly memberAddresses: string[];
  /** Members holding a primary (core, HA member, standalone) or a secondary (read replica) copy of the gate's database. */
  readonly primaries: number;
  readonly secondaries: number;
  /** Non-blocking findings (e.g. dead HA instances still listed). */
  readonly notes: string[];
  readonly checkedAt: string;
}

export interface HealthGateDeps extends LookClock {
  readonly secrets: SecretsManagerClient;
  readonly connect: BoltConnect;
  readonly now: () => Date;
  readonly log: Logger;
  /** Bolt connect timeout. Default 10 s. */
  readonly boltTimeoutMs?: number;
}

const BOLT_URI = /^(bolt|neo4j)(\+s|\+ssc)?:\/\/[^/\s]+$/;

interface Expected {
  readonly version: Neo4jVersion;
  /** As the plan wrote it, e.g. `5.26.2`. */
  readonly label: string;
  readonly edition?: string;
  readonly database: string;
  readonly cluster: ClusterExpectations;
  readonly previous?: { readonly version: Neo4jVersion; readonly label: string };
}

const EDITIONS = ['enterprise', 'community'];

function validate(input: HealthGateInput): Expected {
  if (typeof input?.cluster !== 'object' || input.cluster === null) {
    throw new InvalidInputError(`cluster must be an object, got ${JSON.stringify(input?.cluster)}`);
  }
  const uri = requireString(input.cluster.boltUri, 'cluster.boltUri');
  if (!BOLT_URI.test(uri)) {
    throw new InvalidInputError(`cluster.boltUri must be bolt://host:port or neo4j://host:port (+s, +ssc allowed), got ${JSON.stringify(uri)}`);
  }
  requireString(input.cluster.credentialsSecretArn, 'cluster.credentialsSecretArn');
  requireInteger(input.expectedMembers, 'expectedMembers', 1);
  const database = optionalString(input.database, 'database') ?? 'neo4j';
  optionalString(input.stage, 'stage');
  // The plan resolved the version once (tag, or targetVersion for a digest-only image): no second parser here.
  const label = requireString(input.expectedVersion, 'expectedVersion');
  const version = parseNeo4jVersion(label);
  if (!version) throw new InvalidInputError(`expectedVersion must be a Neo4j version like 5.26.2, got ${JSON.stringify(label)}`);
  const edition = input.expectedEdition || undefined;
  if (edition !== undefined && (typeof edition !== 'string' || !EDITIONS.includes(edition))) {
    throw new InvalidInputError(`expectedEdition must be one of ${EDITIONS.join(', ')} or empty, got ${JSON.stringify(edition)}`);
  }
  const optionalCount = (value: unknown, field: string, min: number) =>
    (value === undefined || value === null ? undefined : requireInteger(value, field, min));
  const cluster: ClusterExpectations = {
    primaries: optionalCount(input.expectedPrimaries, 'expectedPrimaries', 1),
    secondaries: optionalCount(input.expectedSecondaries, 'expectedSecondaries', 0),
    maxTransactionLag: optionalCount(input.maxTransactionLag, 'maxTransactionLag', 0),
  };
  const previousLabel = optionalString(input.acceptedPreviousVersion, 'acceptedPreviousVersion');
  const previousVersion = previousLabel === undefined ? undefined : parseNeo4jVersion(previousLabel);
  if (previousLabel !== undefined && !previousVersion) {
    throw new InvalidInputError(`acceptedPreviousVersion must be a Neo4j version like 5.26.1, got ${JSON.stringify(previousLabel)}`);
  }
  const previous = previousVersion && { version: previousVersion, label: previousLabel! };
  return { version, label, ...(edition && { edition }), database, cluster, ...(previous && { previous }) };
}

/** A Bolt failure as a HealthGateError that says what was expected and what happened. */
function boltFailure(err: unknown, stage: string, uri: string, creds: BoltCredentials, secretArn: string, doing: string): HealthGateError {
  const code = boltErrorCode(err) ?? (err instanceof Error ? err.name : 'Error');
  const message = err instanceof Error ? err.message : String(err);
  if (code.startsWith('Neo.ClientError.Security.')) {
    return new HealthGateError(
      `${stage}expected Neo4j at ${uri} to accept user ${creds.username} (credentials from ${secretArn}); ` +
      `found authentication refused: ${code}: ${message}`, { cause: err });
  }
  if (code === 'ServiceUnavailable' || code === 'SessionExpired') {
    return new HealthGateError(`${stage}expected Neo4j to answer Bolt at ${uri}; found it unreachable: ${message}`, { cause: err });
  }
  return new HealthGateError(`${stage}expected ${doing} to succeed at ${uri}; found ${code}: ${message}`, { cause: err });
}

function describe(members: TopologyMember[]): string {
  return members.map((m) => `${m.id} ${m.address} ${m.role}`.trim()).join('; ') || 'none';
}

/**
 * The Bolt health gate between upgrade stages. Reads the credentials secret, connects over Bolt and
 * checks, in order: the server answers; its version (and edition, when the tag names one) is the target
 * image's; the topology has no blocking findings (members not ready, databases not at their requested
 * status, servers still moving databases); exactly one leader; `expectedMembers` members. Every failure is
 * a HealthGateError (retryable: Step Functions Retry polls the gate until the stage settles); bad input is
 * InvalidInputError and a missing or malformed secret PreconditionFailedError. With `poll` the checks run
 * again every `poll.everySeconds` within `poll.withinSeconds` before the last HealthGateError goes out.
 */
export async function logic(deps: HealthGateDeps, input: HealthGateInput): Promise<HealthGateOutput> {
  const expected = validate(input);
  const poll = lookOptions(input.poll);
  const creds = await readBoltCredentials(deps.secrets, input.cluster.credentialsSecretArn);
  return lookUntilDone(deps, poll, (e) => e instanceof HealthGateError, () => look(deps, input, expected, creds));
}

/** One connection and one pass of the checks. */
async function look(deps: HealthGateDeps, input: HealthGateInput, expected: Expected, creds: BoltCredentials): Promise<HealthGateOutput> {
  const { boltUri: uri, credentialsSecretArn: secretArn } = input.cluster;
  const stage = input.stage ? `stage ${input.stage}: ` : '';

  let bolt: BoltClient | undefined;
  let doing = 'Bolt connection';
  try {
    bolt = deps.connect(uri, creds, { timeoutMs: deps.boltTimeoutMs });
    const info = await bolt.serverInfo();
    const versionText = /^Neo4j\/(\S+)$/.exec(info.agent)?.[1];
    const version = versionText === undefined ? undefined : parseNeo4jVersion(versionText);
    if (!version || versionText === undefined) {
      throw new HealthGateError(`${stage}expected a Neo4j server at ${uri}; found agent ${JSON.stringify(info.agent)}`);
    }
    const accepted = [expected.version, ...(expected.previous ? [expected.previous.version] : [])];
    if (!accepted.some((v) => compareVersions(v, version) === 0)) {
      const or = expected.previous ? ` (or ${expected.previous.label}, mid-roll)` : '';
      throw new HealthGateError(
        `${stage}expected Neo4j ${expected.label}${or} at ${uri}; found Neo4j ${versionText}`);
    }
    doing = 'dbms.components()';
    // On system (4.x and later): a server whose home database failed to start still answers, and the
    // topology below then says which database is not online. 3.5 (Bolt 3) has only the home database.
    const components = await bolt.query('CALL dbms.components() YIELD name, edition RETURN name, edition', {}, version.major >= 4 ? 'system' : undefined);
    const edition = String(components.find((c) => c.name === 'Neo4j Kernel')?.edition ?? components[0]?.edition ?? '');
    if (expected.edition && edition.toLowerCase() !== expected.edition) {
      throw new HealthGateError(`${stage}expected Neo4j ${expected.edition} edition at ${uri}; found ${edition || 'no edition'}`);
    }

    doing = 'reading the cluster topology';
    const topology: Topology = await readTopology(bolt, version, expected.database, info.address);
    deps.log.info('topology', { stage: input.stage, versionFamily: input.cluster.versionFamily, serverVersion: versionText, topology });
    const counts = roleCounts(topology.members);
    const notes = [...topology.notes];
    const lag = expected.cluster.maxTransactionLag;
    const lagProblems = lag === undefined ? [] : transactionIdsReported(topology)
      ? transactionLagProblems(topology.databases, lag)
      : (notes.push(`transaction convergence not checked: ${topology.via} reports no last committed transaction ids`), []);
    const problems = [...topology.problems, ...roleProblems(counts, expected.cluster, expected.database), ...lagProblems];
    if (problems.length > 0) {
      throw new HealthGateError(
        `${stage}expected every member ready and every database at its requested status (${topology.via}); found: ${problems.join('; ')}`);
    }
    if (topology.leaders.length !== 1) {
      throw new HealthGateError(
        `${stage}expected exactly one leader${topology.kind === 'ha' ? ' (master)' : ` of database ${expected.database}`} ` +
        `(${topology.via}); found ${topology.leaders.length}: ${describe(topology.leaders)}`);
    }
    // A standalone server is a cluster of one: only the server itself tells how many members there are.
    const members = topology.members.length;
    if (members !== input.expectedMembers) {
      throw new HealthGateError(`${stage}expected ${input.expectedMembers} member(s); found ${members} (${topology.via}: ${describe(topology.members)})`);
    }
    const leader = topology.leaders[0];
    return {
      ...(input.stage !== undefined && { stage: input.stage }),
      serverVersion: versionText,
      serverEdition: edition,
      topology: topology.kind,
      leaders: topology.leaders.length,
      members,
      leaderAddress: leader.address,
      leaderHost: hostOf(leader.address),
      memberAddresses: topology.members.map((m) => m.address),
      ...counts,
      notes,
      checkedAt: deps.now().toISOString(),
    };
  } catch (err) {
    if (err instanceof HealthGateError) throw err;
    throw boltFailure(err, stage, uri, creds, secretArn, doing);
  } finally {
    await bolt?.close().catch(() => undefined);
  }
}
