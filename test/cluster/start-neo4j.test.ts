import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { neo4jEnvVarName } from '../../lib/cluster/neo4j-env';
import { Neo4jVersionFamily } from '../../lib';
import { spawnSync } from 'node:child_process';
import { SCRIPTS_DIR } from './run-boot-script';

// Runs the real container command with a stand-in for the image's entrypoint that prints what Neo4j
// would start with, for each family's settings.
function setup(members: string, self: string, serverId = '42') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-neo4j-'));
  const clusterEnv = path.join(dir, 'cluster.env');
  fs.writeFileSync(clusterEnv, `NEO4J_UPGRADE_SELF_ADDRESS=${self}\nNEO4J_UPGRADE_MEMBERS=${members}\nNEO4J_UPGRADE_SERVER_ID=${serverId}\n`);
  const entrypoint = path.join(dir, 'entrypoint.sh');
  fs.writeFileSync(entrypoint, '#!/bin/sh\necho "ARGS=$*"\nenv | grep -E "^NEO4J_" | sort\n', { mode: 0o755 });
  return { clusterEnv, entrypoint };
}

function envOf(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

async function start(family: Neo4jVersionFamily, mode: string, extra: NodeJS.ProcessEnv = {}) {
  const { clusterEnv, entrypoint } = setup('10.0.1.5,10.0.2.6,10.0.3.7', '10.0.2.6');
  const d = family.discovery;
  // POSIX sh, as in the Neo4j image (not bash).
  const run = spawnSync('sh', [path.join(SCRIPTS_DIR, 'start-neo4j.sh')], { encoding: 'utf8', env: {
    PATH: process.env.PATH,
    NEO4J_UPGRADE_CLUSTER_ENV: clusterEnv,
    NEO4J_UPGRADE_CLUSTER_MODE: mode,
    NEO4J_UPGRADE_DISCOVERY_VAR: neo4jEnvVarName(d.setting),
    NEO4J_UPGRADE_DISCOVERY_PORT: String(d.port),
    NEO4J_UPGRADE_ADVERTISED_VAR: neo4jEnvVarName(d.advertisedAddressSetting),
    NEO4J_UPGRADE_SERVER_ID_VAR: d.serverIdSetting ? neo4jEnvVarName(d.serverIdSetting) : '',
    NEO4J_UPGRADE_ENTRYPOINT: entrypoint,
    NEO4J_ADMIN_USER: 'neo4j',
    NEO4J_ADMIN_PASSWORD: 's3cret',
    ...extra,
  } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, env: envOf(run.stdout) };
}

describe('start-neo4j.sh (container command)', () => {
  test('3.5 HA: every member on the HA port, this node advertised, server id set, auth from the secret', async () => {
    const { code, env } = await start(Neo4jVersionFamily.V3_5_HA, 'HA');
    expect(code).toBe(0);
    expect(env.ARGS).toBe('neo4j');
    expect(env.NEO4J_ha_initial__hosts).toBe('10.0.1.5:5001,10.0.2.6:5001,10.0.3.7:5001');
    expect(env.NEO4J_dbms_connectors_default__advertised__address).toBe('10.0.2.6');
    expect(env.NEO4J_ha_server__id).toBe('42');
    expect(env.NEO4J_AUTH).toBe('neo4j/s3cret');
    expect(env.NEO4J_ADMIN_PASSWORD).toBeUndefined();
  });

  test('SINGLE isolates the node: its discovery list is itself', async () => {
    const { env } = await start(Neo4jVersionFamily.V4_4_CAUSAL, 'SINGLE');
    expect(env.NEO4J_causal__clustering_initial__discovery__members).toBe('10.0.2.6:5000');
  });

  test('2025.x uses the cluster endpoints on port 6000; AllowUpgrade runs neo4j-admin migrate first', async () => {
    const { env, stdout } = await start(Neo4jVersionFamily.V2025, 'HA', { NEO4J_UPGRADE_MIGRATE_STORE: 'true' });
    expect(env.NEO4J_dbms_cluster_endpoints).toBe('10.0.1.5:6000,10.0.2.6:6000,10.0.3.7:6000');
    const args = stdout.split('\n').filter((l) => l.startsWith('ARGS='));
    expect(args).toEqual(["ARGS=neo4j-admin database migrate *", 'ARGS=neo4j']);
  });

  test('refuses to start without the admin password', async () => {
    const { code, stderr } = await start(Neo4jVersionFamily.V5, 'HA', { NEO4J_ADMIN_PASSWORD: '' });
    expect(code).not.toBe(0);
    expect(stderr).toContain('from Secrets Manager');
  });
});
