/**
 * The example deployment, shared by the example app (bin/app.ts, Neo4j 3.5 HA in production) and the
 * local rehearsal's app (tools/rehearsal/example-app.ts, Neo4j 5 so real servers can play it): a
 * production-like cluster of 3 HA members + 1 slave-only node, encrypted data volumes with a
 * customer-managed key, Secrets Manager credentials, and its staged upgrade.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  ApprovalMode, ClusterMode, DataVolumeOptions, Neo4jCluster, Neo4jStagedUpgrade, Neo4jStagedUpgradeProps, Neo4jVersionFamily, NodeCapacity,
} from '../lib';

export interface ExampleClusterOptions {
  readonly dockerImage: string;
  readonly versionFamily: Neo4jVersionFamily;
  readonly environmentName: string;
  /** Other volume settings (type, IOPS, ...); default 200 GiB gp3. */
  readonly dataVolume?: Omit<DataVolumeOptions, 'encryptionKey'>;
  /** Default 3 HA members (min 1, max 3). */
  readonly capacity?: NodeCapacity;
  /** Default 1 slave-only node. */
  readonly slaveCapacity?: NodeCapacity;
}

export interface ExampleStackOptions extends ExampleClusterOptions {
  readonly stackName: string;
  readonly description: string;
  /** Upgrade props that replace the example's (finalCapacity, cloneRegions, migrations, ...). */
  readonly upgrade?: Partial<Omit<Neo4jStagedUpgradeProps, 'cluster' | 'boltUri'>>;
}

/** The example's cluster: 3 HA members + 1 slave-only node, data volumes encrypted with its own key. */
export function exampleCluster(stack: Stack, o: ExampleClusterOptions): Neo4jCluster {
  const dataKey = new kms.Key(stack, 'DataVolumeKey', {
    description: 'Encrypts Neo4j data volumes and their snapshots',
    enableKeyRotation: true,
  });
  return new Neo4jCluster(stack, 'Neo4j', {
    dockerImage: o.dockerImage,
    versionFamily: o.versionFamily,
    environmentName: o.environmentName,
    mode: ClusterMode.HA,
    slaveMode: ClusterMode.HA,
    capacity: o.capacity ?? { min: 1, max: 3, desired: 3 },
    slaveCapacity: o.slaveCapacity ?? { min: 1, max: 1, desired: 1 },
    dataVolume: { name: `neo4j-${o.environmentName}-data`, sizeGiB: 200, encryptionKey: dataKey, ...o.dataVolume },
  });
}

export function exampleStack(app: App, o: ExampleStackOptions): Stack {
  const stack = new Stack(app, o.stackName, {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '123456789012', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
    description: o.description,
  });

  const cluster = exampleCluster(stack, o);

  new Neo4jStagedUpgrade(stack, 'Upgrade', {
    cluster,
    // The local rehearsal points the health gates at its own Neo4j through this context value.
    boltUri: app.node.tryGetContext('neo4jBoltUri') ?? `bolt://neo4j.${o.environmentName}.internal:7687`,
    finalCapacity: 3,
    cloneVolumes: true,
    cloneRegions: ['eu-west-1'],
    // Seed 000 step 3 as code: runs on the upgraded single master, recorded so it never runs twice.
    // The operator still approves afterwards (the default with migrations is no pause).
    migrations: [
      { id: '001-record-the-schema-version', cypher: "MERGE (v:ExampleSchemaVersion {app: 'example'}) SET v.version = 2" },
    ],
    approvalMode: ApprovalMode.AFTER_STORE_UPGRADE,
    ...o.upgrade,
  });
  return stack;
}
