import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IUpgradeTarget } from '../toolkit/upgrade-target';
import { AuxiliaryHook } from './auxiliary-hook';
import { ClusterServer } from './cluster-server';

/**
 * A cluster whose servers have roles upgraded in order, each server its own ECS service with its own data
 * volume (tagged `Name=<dataVolumeName>`, `Environment=<environmentName>`, `upgrade:server=<serverId>`).
 */
export interface IRoleOrderedTarget extends IUpgradeTarget {
  /** Every server, any order; the procedure orders them by role. */
  readonly servers: ClusterServer[];
  /** The `Environment` tag of the data volumes. */
  readonly environmentName: string;
  /** The `Name` tag of the data volumes. */
  readonly dataVolumeName: string;
  /** Secret with `username`, `password` (coordinators) and `jwtSecret` (agents and DB servers accept only superuser tokens). */
  readonly clusterCredentials: secretsmanager.ISecret;
  /**
   * Stop DC2DC replication before, re-establish it after.
   * @default - no replication step
   */
  readonly replicationHook?: AuxiliaryHook;
  /**
   * Stop automatic restarts of the servers before, restore them after.
   * @default - no restart-policy step
   */
  readonly restartPolicyHook?: AuxiliaryHook;
}
