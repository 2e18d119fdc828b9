#!/usr/bin/env node
/**
 * Example app: a production-like Neo4j 3.5 HA cluster (3 HA members + 1 slave-only node, encrypted
 * data volumes with a customer-managed key, admin credentials in Secrets Manager).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ApprovalMode, ClusterMode, Neo4jCluster, Neo4jStagedUpgrade, Neo4jVersionFamily } from '../lib';

const app = new App();
const stack = new Stack(app, 'Neo4jProduction', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '123456789012', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  description: 'Neo4j 3.5 HA cluster on ECS, upgradable in stages (cdk-neo4j-ecs-upgrades example)',
});

const dataKey = new kms.Key(stack, 'DataVolumeKey', {
  description: 'Encrypts Neo4j data volumes and their snapshots',
  enableKeyRotation: true,
});

const cluster = new Neo4jCluster(stack, 'Neo4j', {
  dockerImage: 'neo4j:3.5.34-enterprise',
  versionFamily: Neo4jVersionFamily.V3_5_HA,
  environmentName: 'production',
  mode: ClusterMode.HA,
  slaveMode: ClusterMode.HA,
  capacity: { min: 1, max: 3, desired: 3 },
  slaveCapacity: { min: 1, max: 1, desired: 1 },
  dataVolume: { name: 'neo4j-production-data', sizeGiB: 200, encryptionKey: dataKey },
});

// The staged upgrade of seed 000: start it with {"dockerImage": "neo4j:3.5.35-enterprise"}.
new Neo4jStagedUpgrade(stack, 'Upgrade', {
  cluster,
  // The local rehearsal points the health gates at its own Neo4j through this context value.
  boltUri: app.node.tryGetContext('neo4jBoltUri') ?? 'bolt://neo4j.production.internal:7687',
  finalCapacity: 3,
  cloneVolumes: true,
  cloneRegions: ['eu-west-1'],
  approvalMode: ApprovalMode.AFTER_STORE_UPGRADE,
});

app.synth();
