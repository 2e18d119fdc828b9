/**
 * The per-server world on its own, before any state machine: a small stack with the per-server image
 * parameters deployed into moto, three real Neo4j servers at NEO4J_LTS_VERSION, then a moto UpdateStack of
 * ONE server's image parameter and the world told of the change as the executor tells it after update-stack.
 * Checks: only that server went down, it came back on its own store at NEO4J_NEWEST_VERSION with its marker
 * nodes, the gate's SHOW SERVERS said it was Unavailable meanwhile and Available after, the others never
 * went down. Then, with a client workload routed as a routing driver would (rolling-routing.ts), the leader
 * (server 1) rolls: writes move to the elected primary and nothing acknowledged is lost. `npx ts-node --transpile-only tools/rehearsal/rolling/world-check.ts`
 */
import '../polyfill';
import { DescribeStacksCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NEO4J_LTS_VERSION, NEO4J_NEWEST_VERSION } from '../../neo4j-embedded';
import { ApiCallCounter, ClientSet } from '../aws-clients';
import { deployStack } from '../emulator';
import { startRehearsalMoto } from '../moto-server';
import { NodeFleet } from '../nodes';
import { CfnTemplate } from '../synth';
import { ServerLayout } from './cluster-state';
import { ClientWorkload } from '../workload/client-workload';
import { RollingRouting } from './rolling-routing';
import { RollingWorld, serverImageParameter } from './rolling-world';
import { ServerSet } from './server-set';

const REGION = 'us-east-1';
const PASSWORD = 'rolling-world-check';
const image = (v: string) => `neo4j:${v}-enterprise`;

export interface WorldCheck {
  readonly problems: string[];
  readonly startMs: number;
  readonly rollMs: number;
  readonly downAt: Record<number, number>;
  readonly versions: Record<number, string | undefined>;
  readonly gateWhileDown: string[];
  readonly gateAfter: string[];
  /** With the workload: the leader's roll after server 2's, and the client's transactions over both. */
  readonly leaderRoll?: {
    rollMs: number; elections: string[]; acknowledgedMissing: number;
    writes: { committed: number; retried: number; lost: number }; reads: { committed: number; retried: number; lost: number };
    failedAttempts: { real: number; derived: number };
  };
}

function checkTemplate(servers: number): Record<string, unknown> {
  const parameters: Record<string, unknown> = { DockerImage: { Type: 'String', Default: image(NEO4J_LTS_VERSION) } };
  for (let i = 1; i <= servers; i++) parameters[serverImageParameter('DockerImage', i)] = { Type: 'String', Default: '' };
  return {
    Parameters: parameters,
    Resources: { Marker: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Name: '/rolling-world-check', Value: { Ref: 'DockerImage' } } } },
  };
}

export async function checkRollingWorld(say: (line: string) => void = console.log, withWorkload = true): Promise<WorldCheck> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rolling-world-'));
  const moto = await startRehearsalMoto();
  let servers: ServerSet | undefined;
  try {
    const harness = new ClientSet({ endpoint: moto.endpoint, region: REGION, counter: new ApiCallCounter() }, 'harness');
    const template = checkTemplate(3);
    await deployStack({
      endpoint: moto.endpoint, clients: harness, workDir: path.join(dir, 'assets'),
      synth: { stackName: 'RollingWorldCheck', template: template as unknown as CfnTemplate, assets: [] },
    });
    const t0 = Date.now();
    servers = await ServerSet.start(3, image(NEO4J_LTS_VERSION), dir, PASSWORD, (l) => say(`  ${l}`));
    const startMs = Date.now() - t0;
    say(`3 real Neo4j ${NEO4J_LTS_VERSION} up in ${(startMs / 1000).toFixed(1)} s`);
    const layout: ServerLayout[] = [1, 2, 3].map((index) => ({ index, serviceName: `neo4j-server-${index}`, role: 'primary' }));
    const fleet = new NodeFleet({ clients: harness, groups: [], awsEnv: moto.env, region: REGION, log: say });
    const world = new RollingWorld(fleet, harness, {
      stackName: 'RollingWorldCheck', stackId: '', mainAutoScalingGroupName: '', slaveAutoScalingGroupName: '', mainServiceName: '', slaveServiceName: '', dockerImageParameter: 'DockerImage',
    }, say, servers, layout);
    const gate = world.gateConnect()(servers.boltUri(1), { username: 'neo4j', password: PASSWORD });
    const health = async () => (await gate.query('SHOW SERVERS YIELD name, address, state, health, hosting, requestedHosting', {}, 'system')).map((r) => `${String(r.name)}=${String(r.health)}`);

    // The procedure's step for one server: a parameter-only UpdateStack of that server's image.
    const updateServer = async (index: number) => {
      const before = await world.recordParameters();
      const key = serverImageParameter('DockerImage', index);
      await harness.cfn.send(new UpdateStackCommand({
        StackName: 'RollingWorldCheck', UsePreviousTemplate: true,
        Parameters: Object.keys(before).map((k) => (k === key ? { ParameterKey: k, ParameterValue: image(NEO4J_NEWEST_VERSION) } : { ParameterKey: k, UsePreviousValue: true })),
      }));
      world.afterStackChange(before, await world.recordParameters());
      return (await harness.cfn.send(new DescribeStacksCommand({ StackName: 'RollingWorldCheck' }))).Stacks?.[0]?.StackStatus;
    };
    const routing = new RollingRouting(world);
    const workload = withWorkload ? new ClientWorkload({ uri: servers.boltUri(1), password: PASSWORD, router: routing, readBackUris: routing.readBackUris() }) : undefined;
    const t1 = Date.now();
    const status = await updateServer(2);
    await new Promise((r) => setTimeout(r, 200));
    const gateWhileDown = await health();
    const ecsWhileDown = await world.ecsView();
    await world.idle();
    const rollMs = Date.now() - t1;
    const gateAfter = await health();
    let leaderRoll: WorldCheck['leaderRoll'];
    if (workload) {
      // The leader last: writes move to the elected primary while server 1 restarts, and are retried there.
      const t2 = Date.now();
      await updateServer(1);
      await world.idle();
      const result = await workload.stop();
      const count = (op: string, pred: (t: { attempts: number; outcome: string }) => boolean) => result.transactions.filter((t) => t.op === op && pred(t)).length;
      leaderRoll = {
        rollMs: Date.now() - t2, elections: world.state.elections.map((e) => `${e.from} -> ${e.to}`),
        writes: { committed: count('write', (t) => t.outcome === 'committed'), retried: count('write', (t) => t.attempts > 1), lost: count('write', (t) => t.outcome === 'lost') },
        reads: { committed: count('read', (t) => t.outcome === 'committed'), retried: count('read', (t) => t.attempts > 1), lost: count('read', (t) => t.outcome === 'lost') },
        failedAttempts: { real: result.attempts.filter((a) => a.failure === 'real').length, derived: result.attempts.filter((a) => a.failure === 'derived').length },
        acknowledgedMissing: result.readBack.acknowledgedMissing.length,
      };
      say(`leader (server 1) rolled in ${(leaderRoll.rollMs / 1000).toFixed(1)} s with the client workload: ${JSON.stringify(leaderRoll)}`);
    }
    await gate.close();
    const versions = Object.fromEntries(servers.servers.map((s) => [s.index, s.player.runningVersion]));
    const downAt = Object.fromEntries(servers.outages.map((o) => [o.server, o.downAt]));
    const problems: string[] = [];
    if (status !== 'UPDATE_COMPLETE') problems.push(`UpdateStack ended ${status}`);
    const rolled = withWorkload ? ['1', '2'] : ['2'];
    if (JSON.stringify(Object.keys(downAt)) !== JSON.stringify(rolled)) problems.push(`servers down: ${Object.keys(downAt).join(', ')}, expected ${rolled.join(', ')}`);
    if (versions[2] !== NEO4J_NEWEST_VERSION || versions[1] !== (withWorkload ? NEO4J_NEWEST_VERSION : NEO4J_LTS_VERSION) || versions[3] !== NEO4J_LTS_VERSION) problems.push(`versions after: ${JSON.stringify(versions)}`);
    if (servers.maxDownAtOnce() !== 1) problems.push(`${servers.maxDownAtOnce()} servers down at once`);
    if (leaderRoll && (leaderRoll.writes.lost || leaderRoll.reads.lost || leaderRoll.acknowledgedMissing)) problems.push(`client transactions lost: ${JSON.stringify(leaderRoll)}`);
    if (leaderRoll && JSON.stringify(leaderRoll.elections) !== JSON.stringify(['1 -> 2'])) problems.push(`elections ${leaderRoll.elections.join(', ')}, expected 1 -> 2`);
    const check = servers.server(2).player.storeChecks;
    if (check.length !== 2 || check[1].markerNodes !== check[0].markerNodes) problems.push(`server 2's store checks: ${JSON.stringify(check)}`);
    if (gateWhileDown.join(' ') !== 'server-1=Available server-2=Unavailable server-3=Available') problems.push(`SHOW SERVERS while server 2 restarts: ${gateWhileDown.join(' ')}`);
    if (ecsWhileDown.running['neo4j-server-2'] !== 0 || ecsWhileDown.running['neo4j-server-1'] !== 1) problems.push(`ECS while server 2 restarts: ${JSON.stringify(ecsWhileDown.running)}`);
    if (gateAfter.some((h) => !h.endsWith('=Available'))) problems.push(`SHOW SERVERS after: ${gateAfter.join(' ')}`);
    if (world.worldErrors.length) problems.push(...world.worldErrors);
    say(`server 2 rolled ${NEO4J_LTS_VERSION} -> ${versions[2]} on its own store in ${(rollMs / 1000).toFixed(1)} s; SHOW SERVERS meanwhile: ${gateWhileDown.join(' ')}; after: ${gateAfter.join(' ')}`);
    say(problems.length ? `NOT OK: ${problems.join('; ')}` : 'OK');
    return { problems, startMs, rollMs, downAt, versions, gateWhileDown, gateAfter, ...(leaderRoll && { leaderRoll }) };
  } finally {
    await servers?.stop();
    await moto.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  checkRollingWorld().then((r) => { process.exitCode = r.problems.length ? 1 : 0; }, (e: Error) => { console.error(e); process.exitCode = 3; });
}
