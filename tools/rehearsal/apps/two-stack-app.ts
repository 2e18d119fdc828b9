#!/usr/bin/env node
/**
 * The rehearsal's two-stack app: the example cluster (Neo4j 5 LTS) in `Neo4jRehearsalCluster`, its staged
 * upgrade in `Neo4jRehearsalUpgrade`, the Neo4jCluster object passed across (context `targetReference`:
 * cluster, attributes or names). `cli.ts --app tools/rehearsal/apps/two-stack-app.ts`.
 */
import { App } from 'aws-cdk-lib';
import { Neo4jVersionFamily } from '../../../lib';
import { NEO4J_LTS_VERSION } from '../../neo4j-embedded';
import { TargetReference, twoStackApp } from './two-stack';

const app = new App();
twoStackApp(app, {
  reference: (app.node.tryGetContext('targetReference') ?? 'cluster') as TargetReference,
  dockerImage: `neo4j:${NEO4J_LTS_VERSION}-enterprise`,
  versionFamily: Neo4jVersionFamily.V5,
  environmentName: 'rehearsal',
  boltUri: app.node.tryGetContext('neo4jBoltUri') ?? 'bolt://neo4j.rehearsal.internal:7687',
  clusterStackName: 'Neo4jRehearsalCluster',
  upgradeStackName: 'Neo4jRehearsalUpgrade',
});
app.synth();
