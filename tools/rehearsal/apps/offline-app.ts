#!/usr/bin/env node
/**
 * The offline rehearsal's app (tools/rehearsal/offline/): three servers in the per-server layout
 * (per-server-app.ts) at NEO4J_LTS_VERSION (5.26 LTS, discovery v1), and their offline upgrade (the
 * rehearsal upgrades them to NEO4J_NEWEST_VERSION, a calendar version: offline while the V5 family is on
 * discovery v1).
 */
import { Neo4jOfflineUpgrade } from '../../../lib';
import { NEO4J_LTS_VERSION } from '../../neo4j-embedded';
import { perServerApp } from './per-server-app';

perServerApp({
  stackName: 'Neo4jOfflineRehearsal',
  description: 'Neo4j 5 cluster of three servers in the per-server layout, upgraded offline (cdk-neo4j-ecs-upgrades local rehearsal)',
  environmentName: 'offline',
  version: NEO4J_LTS_VERSION,
  upgrade: (stack, cluster, boltUri) => new Neo4jOfflineUpgrade(stack, 'Upgrade', { cluster, servers: cluster.servers, boltUri }),
});
