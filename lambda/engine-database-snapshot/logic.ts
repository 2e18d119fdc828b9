import {
  CreateDBClusterSnapshotCommand, CreateDBSnapshotCommand, DescribeDBClusterSnapshotsCommand, DescribeDBSnapshotsCommand, RDSClient,
} from '@aws-sdk/client-rds';
import { isAwsError } from '../shared/aws-error';
import { EngineFleetContext } from '../shared/engine-fleet-context';
import { InvalidInputError, SnapshotFailedError, StillInProgressError } from '../shared/errors';
import { shortExecutionId } from '../shared/execution-id';
import { requireString, show } from '../shared/input-checks';
import { Logger } from '../shared/log';

export interface EngineDatabaseSnapshotDeps {
  readonly rds: RDSClient;
  readonly log: Logger;
}

export interface EngineDatabaseSnapshotInput {
  readonly cluster: EngineFleetContext;
  readonly executionArn: string;
}

export interface EngineDatabaseSnapshotOutput {
  readonly kind: string;
  readonly sourceIdentifier: string;
  readonly snapshotIdentifier: string;
  readonly status: string;
}

/** The RDS snapshot id of an execution: letters, digits and single hyphens, starting with a letter. */
export function snapshotIdentifier(fleetName: string, executionArn: string): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return `engine-upgrade-${clean(fleetName)}-${clean(shortExecutionId(executionArn))}`.replace(/-+/g, '-').replace(/-$/, '').slice(0, 255);
}

/**
 * The database snapshot before any change: created once per execution (its id is derived from the
 * execution, so a retry finds it), polled until available. Never deletes a snapshot.
 */
export async function logic(deps: EngineDatabaseSnapshotDeps, input: EngineDatabaseSnapshotInput): Promise<EngineDatabaseSnapshotOutput> {
  const source = input?.cluster?.databaseSnapshot;
  const kind = source?.kind;
  if (kind !== 'rds-instance' && kind !== 'rds-cluster') throw new InvalidInputError(`cluster.databaseSnapshot.kind must be rds-instance or rds-cluster, got ${show(kind)}`);
  const sourceIdentifier = requireString(source.identifier, 'cluster.databaseSnapshot.identifier');
  const executionArn = requireString(input.executionArn, 'executionArn');
  const id = snapshotIdentifier(input.cluster.fleetName ?? 'fleet', executionArn);
  const tags = [{ Key: 'upgrade:execution', Value: executionArn.slice(0, 256) }, { Key: 'upgrade:purpose', Value: 'pre-upgrade' }];

  let status = kind === 'rds-instance' ? await instanceSnapshotStatus(deps.rds, id) : await clusterSnapshotStatus(deps.rds, id);
  if (status === undefined) {
    if (kind === 'rds-instance') {
      await deps.rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: sourceIdentifier, DBSnapshotIdentifier: id, Tags: tags }));
    } else {
      await deps.rds.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: sourceIdentifier, DBClusterSnapshotIdentifier: id, Tags: tags }));
    }
    deps.log.info('database snapshot created', { kind, sourceIdentifier, snapshotIdentifier: id });
    status = 'creating';
  }
  if (status === 'failed' || status === 'error') throw new SnapshotFailedError(`database snapshot ${id} of ${sourceIdentifier} ended ${status}`);
  if (status !== 'available') throw new StillInProgressError(`database snapshot ${id} of ${sourceIdentifier} is ${status}`);
  return { kind, sourceIdentifier, snapshotIdentifier: id, status };
}

async function instanceSnapshotStatus(rds: RDSClient, id: string): Promise<string | undefined> {
  return statusUnlessMissing(async () => (await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }))).DBSnapshots?.[0]?.Status,
    ['DBSnapshotNotFound', 'DBSnapshotNotFoundFault']);
}

async function clusterSnapshotStatus(rds: RDSClient, id: string): Promise<string | undefined> {
  return statusUnlessMissing(async () => (await rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: id }))).DBClusterSnapshots?.[0]?.Status,
    ['DBClusterSnapshotNotFoundFault', 'DBClusterSnapshotNotFound']);
}

/** The snapshot's status, or undefined when RDS answers that it does not exist (not created yet). */
async function statusUnlessMissing(describe: () => Promise<string | undefined>, notFound: string[]): Promise<string | undefined> {
  try {
    return await describe();
  } catch (err) {
    if (notFound.some((code) => isAwsError(err, code))) return undefined;
    throw err;
  }
}
