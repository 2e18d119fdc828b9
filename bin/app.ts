#!/usr/bin/env node
/**
 * Example app: a production-like Neo4j 3.5 HA cluster (3 HA members + 1 slave-only node, encrypted
 * data volumes with a customer-managed key, admin credentials in Secrets Manager) and its staged
 * upgrade of seed 000: start it with {"dockerImage": "neo4j:3.5.35-enterprise"}.
 */
import { App } from 'aws-cdk-lib';
import { Neo4jVersionFamily } from '../lib';
import { exampleStack } from './example-stack';

const app = new App();
exampleStack(app, {
  stackName: 'Neo4jProduction',
  description: 'Neo4j 3.5 HA cluster on ECS, upgradable in stages (cdk-neo4j-ecs-upgrades example)',
  dockerImage: 'neo4j:3.5.34-enterprise',
  versionFamily: Neo4jVersionFamily.V3_5_HA,
  environmentName: 'production',
});
app.synth();
