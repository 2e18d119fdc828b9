#!/usr/bin/env node
/**
 * The replacing rehearsal's app (tools/rehearsal/replacing/): three servers in the per-server layout
 * (per-server-app.ts) at NEO4J_LTS_OLDER_PATCH_VERSION with one spare slot (`spareServerSlots: 1`), and their
 * rolling upgrade with replaceable resources (`serverReplacement: NEW_MEMBER_FIRST`): for each old server a
 * new member starts in the free slot at the target, joins and takes the old one's databases before the old
 * one is dropped and its slot retired. With context `neo4jVersionFamily: '4.4'` (replacing/cli.ts --family 4.4)
 * the cluster is a Neo4j 4.4 causal cluster: each new core joins through discovery before the old one stops.
 */
import { Duration } from 'aws-cdk-lib';
import { Neo4jRollingUpgrade, ProcedurePolling, ServerReplacement } from '../../../lib';
import { NEO4J_LTS_OLDER_PATCH_VERSION } from '../../neo4j-embedded';
import { perServerApp } from './per-server-app';

perServerApp({
  stackName: 'Neo4jReplacingRehearsal',
  description: 'Neo4j cluster of three servers and a spare slot, each server replaced by a new member (cdk-neo4j-ecs-upgrades local rehearsal)',
  environmentName: 'replacing',
  version: NEO4J_LTS_OLDER_PATCH_VERSION,
  cluster: { spareServerSlots: 1 },
  upgrade: (stack, cluster, boltUri) => new Neo4jRollingUpgrade(stack, 'Upgrade', {
    cluster,
    servers: cluster.servers,
    boltUri,
    serverReplacement: ServerReplacement.NEW_MEMBER_FIRST,
    // 4 min instead of 30 (as the rolling app): a new member's real Neo4j starts in 30-100 s here, and the
    // world fault "a replacement that never joins" then exhausts the enable-server poll in minutes.
    polling: new ProcedurePolling({ healthGateTimeout: Duration.minutes(4) }),
  }),
});
