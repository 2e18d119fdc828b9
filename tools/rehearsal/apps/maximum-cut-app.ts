#!/usr/bin/env node
/**
 * A representative cut of maximum-app.ts, fast enough to rehearse on a loaded machine: clone regions,
 * Cypher migrations (count and bytes) and validation partitions at their caps, the members at the
 * example's 3 + 1 (booting nodes is what takes the time; each member adds a few hundred bytes per list).
 * Input: maximum-input.json with targetCapacity 3 and slaveCapacity 1.
 */
import { App } from 'aws-cdk-lib';
import { exampleStack } from '../../../bin/example-stack';
import { Neo4jVersionFamily } from '../../../lib';
import { PROCEDURE_LIMITS } from '../../../lib/private/procedure-limits';
import { NEO4J_LTS_VERSION } from '../../neo4j-embedded';
import { MAXIMUM_CLONE_REGIONS, maximumMigrations } from './maximum-configuration';

const main = 3; // cut: members below their caps (boots are the slow part)
const slaves = 1;
const app = new App();
exampleStack(app, {
  stackName: 'Neo4jRehearsalMaximumCut',
  description: 'Neo4j 5 cluster on ECS at the upgrade\'s maximum accepted configuration (cdk-neo4j-ecs-upgrades local rehearsal)',
  dockerImage: `neo4j:${NEO4J_LTS_VERSION}-enterprise`,
  versionFamily: Neo4jVersionFamily.V5,
  environmentName: 'rehearsal-maximum-cut',
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
