#!/usr/bin/env node
/**
 * The rehearsal's default app: the example app (bin/app.ts) with the Neo4j 5 family, so the local
 * rehearsal's real embedded servers can play its images. NEO4J_LTS_VERSION plays the cluster's
 * `neo4j:<lts>-enterprise` image and NEO4J_NEWEST_VERSION the upgrade target `neo4j:<newest>-enterprise`
 * (5.26 LTS -> calendar versions is an in-place store upgrade Neo4j supports).
 *
 * Everything else is the example app's shape: 3 HA members + 1 slave-only node, customer-managed data
 * volume key, clone into eu-west-1, approval after the store upgrade. The health gates reach the
 * rehearsal's Neo4j through context `neo4jBoltUri`.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ApprovalMode, ClusterMode, Neo4jCluster, Neo4jStagedUpgrade, Neo4jVersionFamily } from '../../lib';
import { NEO4J_LTS_VERSION } from '../neo4j-embedded';

const app = new App();
const stack = new Stack(app, 'Neo4jRehearsal', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '123456789012', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  description: 'Neo4j 5 cluster on ECS, upgradable in stages (cdk-neo4j-ecs-upgrades local rehearsal)',
});

const dataKey = new kms.Key(stack, 'DataVolumeKey', {
  description: 'Encrypts Neo4j data volumes and their snapshots',
  enableKeyRotation: true,
});

const cluster = new Neo4jCluster(stack, 'Neo4j', {
  dockerImage: `neo4j:${NEO4J_LTS_VERSION}-enterprise`,
  versionFamily: Neo4jVersionFamily.V5,
  environmentName: 'rehearsal',
  mode: ClusterMode.HA,
  slaveMode: ClusterMode.HA,
  capacity: { min: 1, max: 3, desired: 3 },
  slaveCapacity: { min: 1, max: 1, desired: 1 },
  dataVolume: { name: 'neo4j-rehearsal-data', sizeGiB: 200, encryptionKey: dataKey },
});

new Neo4jStagedUpgrade(stack, 'Upgrade', {
  cluster,
  boltUri: app.node.tryGetContext('neo4jBoltUri') ?? 'bolt://neo4j.rehearsal.internal:7687',
  finalCapacity: 3,
  cloneVolumes: true,
  cloneRegions: ['eu-west-1'],
  approvalMode: ApprovalMode.AFTER_STORE_UPGRADE,
});

app.synth();
