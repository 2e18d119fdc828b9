/**
 * The nodes' boot, as EC2 user data runs it in AWS: for every instance of the cluster's Auto Scaling groups
 * that has not booted yet, the library's own lib/cluster/scripts/claim-data-volume.sh runs against moto
 * with the aws CLI, configured from the environment the synthesized launch template's user data exports
 * (NEO4J_CLAIM_*), plus the instance id and AZ IMDS would give it.
 *
 * Instances in one AZ boot one after the other (they compete for the same volumes), AZs in parallel.
 */
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { warmAwsCli } from '../aws-cli';
import { ClientSet } from './aws-clients';
import { ResolveContext, resolveIntrinsics } from './intrinsics';
import { CfnTemplate } from './synth';

export const CLAIM_SCRIPT = path.join(__dirname, '..', '..', 'lib', 'cluster', 'scripts', 'claim-data-volume.sh');
/** The per-server layout's second boot step: which server the node is, from its volume's tag. */
export const SERVER_SCRIPT = path.join(__dirname, '..', '..', 'lib', 'cluster', 'scripts', 'claim-server-number.sh');

export interface BootRecord {
  readonly instanceId: string;
  readonly group: string;
  readonly availabilityZone: string;
  readonly ok: boolean;
  readonly volumeId?: string;
  readonly device?: string;
  /** The claimed volume was there before the boot (reused/attached), or created by the script. */
  readonly claimed?: 'existing' | 'created';
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly stderrTail?: string;
  readonly bootedAt: string;
  /** Per-server layout: the server number claim-server-number.sh gave the node. */
  readonly server?: number;
  /** Per-server layout: the unbind mark claim-server-number.sh wrote to cluster.env (the volume's `neo4j-upgrades:unbind` tag). */
  readonly unbindMark?: string;
}

export interface GroupInfo {
  /** Auto Scaling group name (physical). */
  readonly name: string;
  readonly logicalId: string;
  /** NEO4J_CLAIM_* (and other) variables the user data exports. */
  readonly userDataEnv: Record<string, string>;
}

/** The `NAME='value'` assignments of the `export` lines of a resolved user data script (several per line too). */
export function exportedVariables(userData: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of userData.split('\n')) {
    if (!line.trim().startsWith('export ')) continue;
    for (const m of line.matchAll(/(?:^|\s)([A-Z_][A-Z0-9_]*)='([^']*)'/g)) env[m[1]] = m[2];
  }
  return env;
}

/** Every Auto Scaling group of the template with its launch template's user data variables. */
export function groupsOf(template: CfnTemplate, ctx: ResolveContext): GroupInfo[] {
  const out: GroupInfo[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::AutoScaling::AutoScalingGroup') continue;
    const lt = (r.Properties?.LaunchTemplate as { LaunchTemplateId?: { Ref?: string } } | undefined)?.LaunchTemplateId?.Ref;
    const data = lt ? (template.Resources[lt]?.Properties?.LaunchTemplateData as { UserData?: unknown } | undefined)?.UserData : undefined;
    const userData = data === undefined ? '' : String(resolveIntrinsics(data, ctx));
    const physical = ctx.resources.get(id)?.physicalId;
    if (!physical) throw new Error(`Auto Scaling group ${id} was not deployed`);
    out.push({ name: physical, logicalId: id, userDataEnv: exportedVariables(userData) });
  }
  return out;
}

/** Runs a boot script with bash; its exit code (null: it could not start) and output. */
function runScript(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d.toString(); });
    child.stderr.on('data', (d) => { stderr += d.toString(); });
    child.on('error', (e) => { stderr += `\n${e.message}`; resolve({ code: null, stdout, stderr }); });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface NodeFleetOptions {
  readonly clients: ClientSet;
  readonly groups: GroupInfo[];
  /** Environment for the aws CLI (credentials, AWS_ENDPOINT_URL of moto). */
  readonly awsEnv: NodeJS.ProcessEnv;
  readonly region: string;
  readonly log: (line: string) => void;
}

export class NodeFleet {
  public readonly boots: BootRecord[] = [];
  private readonly booted = new Map<string, BootRecord>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: NodeFleetOptions) {}

  get groups(): GroupInfo[] { return this.options.groups; }

  /** Boots that happened before a moto state snapshot this fleet starts from. */
  public preload(records: BootRecord[]): void {
    for (const r of records) this.booted.set(r.instanceId, r);
  }

  /** Whether an instance booted (claimed its data volume). */
  public hasBooted(instanceId: string): boolean {
    return this.booted.get(instanceId)?.ok === true;
  }

  /** InService instances per group name. */
  public async inService(): Promise<Map<string, Array<{ instanceId: string; availabilityZone: string; protectedFromScaleIn: boolean }>>> {
    const names = this.options.groups.map((g) => g.name);
    const out = await this.options.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names }));
    const map = new Map<string, Array<{ instanceId: string; availabilityZone: string; protectedFromScaleIn: boolean }>>();
    for (const name of names) map.set(name, []);
    for (const g of out.AutoScalingGroups ?? []) {
      map.set(g.AutoScalingGroupName as string, (g.Instances ?? [])
        .filter((i) => i.LifecycleState === 'InService')
        .map((i) => ({ instanceId: i.InstanceId as string, availabilityZone: i.AvailabilityZone as string, protectedFromScaleIn: i.ProtectedFromScaleIn === true })));
    }
    return map;
  }

  /** Boots every InService instance that has not booted yet; serialized with earlier calls. */
  public bootNewInstances(): Promise<BootRecord[]> {
    const next = this.queue.then(() => this.bootNow());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async bootNow(): Promise<BootRecord[]> {
    const groups = await this.inService();
    const todo: Array<{ instanceId: string; availabilityZone: string; group: GroupInfo }> = [];
    for (const group of this.options.groups) {
      for (const i of groups.get(group.name) ?? []) {
        if (!this.booted.has(i.instanceId)) todo.push({ ...i, group });
      }
    }
    if (todo.length === 0) return [];
    const byAz = new Map<string, typeof todo>();
    for (const t of todo) byAz.set(t.availabilityZone, [...(byAz.get(t.availabilityZone) ?? []), t]);
    const results = await Promise.all([...byAz.values()].map(async (list) => {
      const done: BootRecord[] = [];
      for (const t of list) done.push(await this.claim(t.instanceId, t.availabilityZone, t.group));
      return done;
    }));
    return results.flat();
  }

  private async claim(instanceId: string, az: string, group: GroupInfo): Promise<BootRecord> {
    const t0 = Date.now();
    const awsCli = await warmAwsCli();
    const claimEnv = Object.fromEntries(Object.entries(group.userDataEnv).filter(([k]) => k.startsWith('NEO4J_CLAIM_')));
    const env: NodeJS.ProcessEnv = {
      ...this.options.awsEnv,
      ...claimEnv,
      AWS_REGION: this.options.region,
      AWS_DEFAULT_REGION: this.options.region,
      NEO4J_CLAIM_INSTANCE_ID: instanceId,
      NEO4J_CLAIM_AVAILABILITY_ZONE: az,
      NEO4J_CLAIM_POLL_SECONDS: '0.2',
      NEO4J_CLAIM_SETTLE_SECONDS: '0.2',
      NEO4J_CLAIM_RETRY_DELAY_SECONDS: '1',
      // The real aws CLI, served warm: a boot's calls cost ~0.1 s of CPU each instead of ~1 s.
      NEO4J_CLAIM_AWS_CLI: awsCli,
    };
    const record = await this.claimVolume(instanceId, az, group, env, t0);
    const count = group.userDataEnv.NEO4J_SERVER_COUNT;
    if (!record.ok || !count) return record;
    const serverEnv = Object.fromEntries(Object.entries(group.userDataEnv).filter(([k]) => k.startsWith('NEO4J_SERVER_')));
    const clusterEnv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-env-')), 'cluster.env');
    try {
      return await this.claimServer(record, {
        ...env, ...serverEnv, NEO4J_SERVER_VOLUME_ID: record.volumeId, NEO4J_CLUSTER_ENV_FILE: clusterEnv,
      }, clusterEnv);
    } finally {
      fs.rmSync(path.dirname(clusterEnv), { recursive: true, force: true });
    }
  }

  /** claim-server-number.sh after the volume claim, as the user data runs it in the per-server layout. */
  private async claimServer(record: BootRecord, env: NodeJS.ProcessEnv, clusterEnv: string): Promise<BootRecord> {
    const { code, stdout, stderr } = await runScript(SERVER_SCRIPT, env);
    const server = Number(stdout.trim());
    const written = fs.existsSync(clusterEnv) ? fs.readFileSync(clusterEnv, 'utf8') : '';
    const unbindMark = /^NEO4J_UPGRADE_UNBIND='([^']*)'$/m.exec(written)?.[1];
    const done: BootRecord = code === 0 && server > 0
      ? { ...record, server, ...(unbindMark && { unbindMark }) }
      : { ...record, ok: false, exitCode: code, stderrTail: stderr.slice(-1500) };
    this.booted.set(record.instanceId, done);
    this.boots[this.boots.indexOf(record)] = done;
    this.options.log(done.ok ? `node ${record.instanceId} is server ${server}` : `node ${record.instanceId} could not tell its server (exit ${code}): ${stderr.trim().split('\n').slice(-2).join(' | ')}`);
    return done;
  }

  private async claimVolume(instanceId: string, az: string, group: GroupInfo, env: NodeJS.ProcessEnv, t0: number): Promise<BootRecord> {
    const { code, stdout, stderr } = await runScript(CLAIM_SCRIPT, env);
    const m = /^(vol-[0-9a-f]+) (\S+)$/m.exec(stdout.trim());
    const record: BootRecord = {
      instanceId,
      group: group.logicalId,
      availabilityZone: az,
      ok: code === 0 && m !== null,
      ...(m && { volumeId: m[1], device: m[2] }),
      ...(m && { claimed: /created vol-/.test(stderr) ? 'created' as const : 'existing' as const }),
      exitCode: code,
      durationMs: Date.now() - t0,
      ...(code !== 0 && { stderrTail: stderr.slice(-1500) }),
      bootedAt: new Date().toISOString(),
    };
    this.booted.set(instanceId, record);
    this.boots.push(record);
    this.options.log(record.ok
      ? `node ${instanceId} (${group.logicalId}, ${az}) claimed ${record.volumeId} (${record.claimed}) in ${(record.durationMs / 1000).toFixed(1)} s`
      : `node ${instanceId} (${group.logicalId}, ${az}) FAILED to claim a volume (exit ${code}): ${stderr.trim().split('\n').slice(-2).join(' | ')}`);
    return record;
  }

  /** Private IPs and launch times of instances (for the master choice). */
  public async describe(ids: string[]): Promise<Map<string, { privateIp: string; launchTime: number }>> {
    const out = new Map<string, { privateIp: string; launchTime: number }>();
    if (ids.length === 0) return out;
    const res = await this.options.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    for (const i of (res.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      out.set(i.InstanceId as string, { privateIp: i.PrivateIpAddress ?? '', launchTime: i.LaunchTime?.getTime() ?? 0 });
    }
    return out;
  }
}
