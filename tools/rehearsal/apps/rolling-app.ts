#!/usr/bin/env node
/**
 * The rolling rehearsal's app (tools/rehearsal/rolling/): three servers in the per-server layout
 * (per-server-app.ts) at NEO4J_LTS_OLDER_PATCH_VERSION (an older 5.26 patch), and their rolling upgrade
 * (the rehearsal rolls them to NEO4J_LTS_VERSION: a patch roll within 5.26).
 */
import { Duration } from 'aws-cdk-lib';
import { Neo4jRollingUpgrade, ProcedurePolling } from '../../../lib';
import { NEO4J_LTS_OLDER_PATCH_VERSION } from '../../neo4j-embedded';
import { perServerApp } from './per-server-app';

perServerApp({
  stackName: 'Neo4jRollingRehearsal',
  description: 'Neo4j 5 cluster of three servers in the per-server layout, rolled one server at a time (cdk-neo4j-ecs-upgrades local rehearsal)',
  environmentName: 'rolling',
  version: NEO4J_LTS_OLDER_PATCH_VERSION,
  upgrade: (stack, cluster, boltUri) => new Neo4jRollingUpgrade(stack, 'Upgrade', {
    cluster,
    servers: cluster.servers,
    boltUri,
    // 4 min instead of 30: the gate after a server starts once its service is steady (its Neo4j answering), and
    // a real Neo4j restart here took 24-28 s idle and a few minutes at most on this loaded machine; the fault
    // matrix's world fault (a database that stays starting) then times out into the rollback in minutes.
    polling: new ProcedurePolling({ healthGateTimeout: Duration.minutes(4) }),
  }),
});
