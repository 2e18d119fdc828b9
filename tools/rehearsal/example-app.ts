#!/usr/bin/env node
/**
 * The rehearsal's default app: the example app (bin/app.ts) with the Neo4j 5 family, so the local
 * rehearsal's real embedded servers can play its images. NEO4J_LTS_VERSION plays the cluster's
 * `neo4j:<lts>-enterprise` image and NEO4J_NEWEST_VERSION the upgrade target `neo4j:<newest>-enterprise`
 * (5.26 LTS -> calendar versions is an in-place store upgrade Neo4j supports).
 *
 * Everything else is the example app's shape: 3 HA members + 1 slave-only node, customer-managed data
 * volume key, clone into eu-west-1, approval after the store upgrade. The health gates reach the
 * rehearsal's Neo4j through context `neo4jBoltUri`. Context `waitDetection=retry-backoff` builds the
 * polling baseline (one look per invocation, Step Functions' Retry backing off) that the bench compares with;
 * context `transientFailure=ask-operator` an upgrade that asks an operator before rolling back a transient failure.
 */
import { App } from 'aws-cdk-lib';
import { exampleStack } from '../../bin/example-stack';
import { Neo4jVersionFamily, TransientFailureAction, WaitDetection } from '../../lib';
import { NEO4J_LTS_VERSION } from '../neo4j-embedded';

const app = new App();
exampleStack(app, {
  stackName: 'Neo4jRehearsal',
  description: 'Neo4j 5 cluster on ECS, upgradable in stages (cdk-neo4j-ecs-upgrades local rehearsal)',
  dockerImage: `neo4j:${NEO4J_LTS_VERSION}-enterprise`,
  versionFamily: Neo4jVersionFamily.V5,
  environmentName: 'rehearsal',
  upgrade: {
    ...(app.node.tryGetContext('waitDetection') === WaitDetection.RETRY_BACKOFF.value && { waitDetection: WaitDetection.RETRY_BACKOFF }),
    ...(app.node.tryGetContext('transientFailure') === TransientFailureAction.ASK_OPERATOR.value && { onTransientFailure: TransientFailureAction.ASK_OPERATOR }),
  },
});
app.synth();
