#!/usr/bin/env node
/**
 * The rehearsal's example app at the largest configuration the upgrade accepts (maximum-configuration.ts):
 * the most members, clone regions, Cypher migrations (count and bytes) and validation partitions.
 * `cli.ts --app tools/rehearsal/apps/maximum-app.ts --input-file tools/rehearsal/apps/maximum-input.json`.
 */
import { App } from 'aws-cdk-lib';
import { exampleStack } from '../../../bin/example-stack';
import { Neo4jVersionFamily } from '../../../lib';
import { PROCEDURE_LIMITS } from '../../../lib/private/procedure-limits';
import { NEO4J_LTS_VERSION } from '../../neo4j-embedded';
import { MAXIMUM_CLONE_REGIONS, maximumMigrations } from './maximum-configuration';

const main = PROCEDURE_LIMITS.mainMembers;
const slaves = PROCEDURE_LIMITS.slaveMembers;
const app = new App();
exampleStack(app, {
  stackName: 'Neo4jRehearsalMaximum',
  description: 'Neo4j 5 cluster on ECS at the upgrade\'s maximum accepted configuration (cdk-neo4j-ecs-upgrades local rehearsal)',
  dockerImage: `neo4j:${NEO4J_LTS_VERSION}-enterprise`,
  versionFamily: Neo4jVersionFamily.V5,
  environmentName: 'rehearsal-maximum',
  capacity: { min: 1, max: main, desired: main },
  slaveCapacity: { min: 1, max: slaves, desired: slaves },
  upgrade: {
    finalCapacity: main,
    cloneRegions: MAXIMUM_CLONE_REGIONS,
    migrations: maximumMigrations(),
    validationPartitions: PROCEDURE_LIMITS.validationPartitions,
  },
});
app.synth();
