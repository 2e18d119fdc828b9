/**
 * What a node's Neo4j would start with: the REAL container command (lib/cluster/scripts/start-neo4j.sh)
 * run with the task definition's environment (intrinsics already resolved against the stack's parameters),
 * the node's membership and its credentials, and a stand-in for the image's entrypoint that records its
 * arguments and environment. The settings are then read the way the image's entrypoint writes neo4j.conf:
 * every non-empty `NEO4J_*` variable except the image's own control variables, name reversed by
 * neo4jSettingName.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { neo4jSettingName } from '../../lib/cluster/neo4j-env';

const START_SCRIPT = path.resolve(__dirname, '..', '..', 'lib', 'cluster', 'scripts', 'start-neo4j.sh');

/** Variables the official image's entrypoint (5.x and later) never writes as settings (its `not_configs`). */
export const IMAGE_CONTROL_VARIABLES = [
  'NEO4J_ACCEPT_LICENSE_AGREEMENT', 'NEO4J_AUTH', 'NEO4J_DEBUG', 'NEO4J_EDITION', 'NEO4J_HOME', 'NEO4J_PLUGINS',
  'NEO4J_SHA256', 'NEO4J_TARBALL',
] as const;

export interface NodeIdentity {
  readonly selfAddress: string;
  /** Every member's address, self included. */
  readonly members: readonly string[];
  readonly serverId: string;
}

export interface ContainerStartInput {
  /** The container's environment from the task definition, resolved. */
  readonly environment: Readonly<Record<string, string>>;
  /** What ECS injects from Secrets Manager. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly node: NodeIdentity;
  /** The node's unbind mark in cluster.env (claim-server-number.sh writes the volume's `neo4j-upgrades:unbind` tag). */
  readonly unbindMark?: string;
  /** The container's data directory (its `/data`), where start-neo4j.sh records the mark it unbound for. */
  readonly dataDir?: string;
  /** A rehearsal world fault: the stand-in entrypoint fails (exit 1) on a call whose arguments contain this text. */
  readonly failingCall?: string;
}

export interface ContainerStart {
  /** Exit code of start-neo4j.sh (0: it handed over to the entrypoint). */
  readonly code: number | null;
  readonly stderr: string;
  /** The argument lists the image's entrypoint was called with, in order. */
  readonly calls: string[];
  /** The `NEO4J_*` environment the entrypoint got for `neo4j` (the server start). */
  readonly environment: Record<string, string>;
  /** The settings the entrypoint would write into neo4j.conf from that environment. */
  readonly settings: Record<string, string>;
}

/** The settings the image's entrypoint writes for an environment (same rules as its loop over `NEO4J_*`). */
export function settingsFromEnvironment(environment: Readonly<Record<string, string>>): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if (!name.startsWith('NEO4J_') || (IMAGE_CONTROL_VARIABLES as readonly string[]).includes(name) || value === '') continue;
    const setting = neo4jSettingName(name);
    // The entrypoint skips names that start with a digit.
    if (!/^[0-9]/.test(setting)) settings[setting] = value;
  }
  return settings;
}

/** Runs start-neo4j.sh as the container would, up to the point where the image's entrypoint takes over. */
export function containerStart(input: ContainerStartInput): ContainerStart {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'container-start-'));
  try {
    const clusterEnv = path.join(dir, 'cluster.env');
    fs.writeFileSync(clusterEnv, [
      `NEO4J_UPGRADE_SELF_ADDRESS=${input.node.selfAddress}`,
      `NEO4J_UPGRADE_MEMBERS=${input.node.members.join(',')}`,
      `NEO4J_UPGRADE_SERVER_ID=${input.node.serverId}`,
      ...(input.unbindMark !== undefined ? [`NEO4J_UPGRADE_UNBIND='${input.unbindMark}'`] : []),
    ].join('\n') + '\n');
    const entrypoint = path.join(dir, 'entrypoint.sh');
    // One file per call: its arguments on the first line, then its environment.
    const fail = input.failingCall ? `case "$*" in *'${input.failingCall.replace(/'/g, '')}'*) echo "rehearsal world fault: $* failed" >&2; exit 1;; esac\n` : '';
    fs.writeFileSync(entrypoint, `#!/bin/sh\nn=$(ls '${dir}' | grep -c '^call-' || true)\n{ echo "$*"; env; } > '${dir}/call-'$n\n${fail}`, { mode: 0o755 });
    // The one harness change: the image's entrypoint path of every family points at the stand-in.
    const environment: Record<string, string> = { ...input.environment };
    for (const name of Object.keys(environment)) if (/^NEO4J_UPGRADE_FAMILY_.*_ENTRYPOINT$/.test(name)) environment[name] = entrypoint;
    const run = spawnSync('sh', [START_SCRIPT], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH, ...environment, ...input.secrets, NEO4J_UPGRADE_CLUSTER_ENV: clusterEnv,
        NEO4J_UPGRADE_DATA_DIR: input.dataDir ?? path.join(dir, 'data'),
      },
    });
    const callFiles = fs.readdirSync(dir).filter((f) => f.startsWith('call-')).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
    const calls: string[] = [];
    let serverEnvironment: Record<string, string> = {};
    for (const file of callFiles) {
      const [args, ...lines] = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
      calls.push(args);
      if (args === 'neo4j') {
        serverEnvironment = Object.fromEntries(lines.filter((l) => l.startsWith('NEO4J_') && l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      }
    }
    return {
      code: run.status, stderr: run.stderr, calls, environment: serverEnvironment, settings: settingsFromEnvironment(serverEnvironment),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
