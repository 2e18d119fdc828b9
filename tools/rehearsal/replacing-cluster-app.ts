#!/usr/bin/env node
/**
 * The rehearsal's default app with one mistake: the ECS cluster is named after the Mode parameter. Stage 2
 * (single master) sets Mode, so its change set would replace the cluster (a new, empty cluster; the old one
 * and both services with it deleted: every node down). update-stack's change-set guard refuses that stage
 * before anything is executed, and the upgrade rolls back.
 *
 *   npm run rehearse -- --app tools/rehearsal/replacing-cluster-app.ts
 *
 * Expected: the happy path ends ROLLED_BACK with ChangeSetRefusedError at stage 2, the ECS cluster unchanged.
 * (The credentials secret would make the same point, but the rehearsal creates secrets outside the stack.)
 */
import { App, Fn } from 'aws-cdk-lib';
import { CfnCluster } from 'aws-cdk-lib/aws-ecs';
import { exampleStack } from '../../bin/example-stack';
import { Neo4jCluster, Neo4jVersionFamily } from '../../lib';
import { NEO4J_LTS_VERSION } from '../neo4j-embedded';

const app = new App();
const stack = exampleStack(app, {
  stackName: 'Neo4jRehearsal',
  description: 'Neo4j 5 cluster on ECS whose ECS cluster is named after a stack parameter (change-set guard rehearsal)',
  dockerImage: `neo4j:${NEO4J_LTS_VERSION}-enterprise`,
  versionFamily: Neo4jVersionFamily.V5,
  environmentName: 'rehearsal',
});
const cluster = stack.node.findChild('Neo4j') as Neo4jCluster;
(cluster.ecsCluster.node.defaultChild as CfnCluster).clusterName =
  Fn.join('-', ['neo4j-rehearsal', cluster.parameters.mode.valueAsString]);
app.synth();
