/**
 * The blue/green switch with a bake and the compatibility stop, rehearsed with real parts: the fragments'
 * synthesized definition run by the rehearsal's executor (aws-local-stepfunctions under Step Functions'
 * quotas), each task running its handler's logic in-process with real SDK clients on moto_server (ELBv2,
 * CloudWatch, SSM, Secrets Manager); blue a real embedded Neo4j 5.26, green a real Neo4j 2026.x; a real
 * TCP proxy (tools/listener-proxy.ts) that follows the listener's target group as moto reports it; and a
 * client workload through the proxy counting committed, failed and retried transactions.
 *
 * The harness provokes the automatic switch-back with CloudWatch SetAlarmState (green's errors in ALARM
 * during the bake), and the compatibility stop with a query green answers differently.
 */
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CloudFormationClient, DescribeStacksCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeSnapshotsCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { Duration } from 'aws-cdk-lib';
import { logic as bakeWatch } from '../../lambda/bake-watch/logic';
import { logic as compatibilityCheck } from '../../lambda/compatibility-check/logic';
import { connectBolt } from '../../lambda/shared/bolt';
import { memoryLogger } from '../../lambda/shared/log';
import { logic as trafficSwitch } from '../../lambda/traffic-switch/logic';
import { CompatibilityQuery } from '../../lib';
import { ListenerProxy, startListenerProxy } from '../../tools/listener-proxy';
import { loadLogic } from '../../tools/rehearsal/handlers';
import { runWithLimits } from '../../tools/rehearsal/limited-machine';
import { connect } from '../../validator/connect';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { createMotoBoltEndpoint } from '../support/moto-bolt-endpoint';
import { NEO4J_LTS_VERSION, NEO4J_NEWEST_VERSION, Neo4jServer, startNeo4j } from '../support/neo4j';
import { startWorkload } from './client-workload';
import { LOCK, buildSwitchProcedure, switchProcedureDefinition } from './switch-procedure-app';
import { UPGRADE_LOCK, UPGRADE_TOPIC, blueGreenDefinition, buildBlueGreenUpgrade } from './blue-green-upgrade-app';
import { createBlueOnMoto, freezeSeam, handlerDeps } from './blue-green-world';

const PASSWORD = 'blue-green-password';
const PEOPLE = "UNWIND [['Ada', 1815], ['Grace', 1906], ['Edsger', 1930]] AS p CREATE (:Person {name: p[0], born: p[1]})";

const QUERIES: CompatibilityQuery[] = [
  { name: 'people by name', cypher: 'MATCH (p:Person) RETURN p.name AS name, p.born AS born ORDER BY name',
    expectedRows: [{ name: 'Ada', born: 1815 }, { name: 'Edsger', born: 1930 }, { name: 'Grace', born: 1906 }] },
  // id() is deprecated since 5.0: the server says so in the result's notifications.
  { name: 'people have ids', cypher: 'MATCH (p:Person) RETURN count(id(p)) AS withId', expectedRows: [{ withId: 3 }] },
];
/** What the application relies on and green answers differently: the major version it runs. */
const ON_FIVE: CompatibilityQuery = {
  name: 'runs on 5.x', cypher: "CALL dbms.components() YIELD versions RETURN versions[0] STARTS WITH '5.' AS onFive", expectedRows: [{ onFive: true }],
};

let moto: MotoServer;
let blue: Neo4jServer;
let green: Neo4jServer;
let proxy: ListenerProxy;
let elb: ElasticLoadBalancingV2Client;
let cloudwatch: CloudWatchClient;
let ssm: SSMClient;
let secrets: SecretsManagerClient;
let secretArn: string;
let listenerArn: string;
let groups: { blue: string; green: string };
let alarmArns: string[];
const timings: Record<string, number> = {};

beforeAll(async () => {
  const t0 = Date.now();
  [moto, blue, green] = await Promise.all([
    startMoto(),
    startNeo4j({ version: NEO4J_LTS_VERSION, password: PASSWORD }),
    startNeo4j({ version: NEO4J_NEWEST_VERSION, password: PASSWORD }),
  ]);
  timings.startMs = Date.now() - t0;
  const config = motoClientConfig(moto);
  const ec2 = new EC2Client(config);
  elb = new ElasticLoadBalancingV2Client(config);
  cloudwatch = new CloudWatchClient(config);
  ssm = new SSMClient(config);
  secrets = new SecretsManagerClient(config);
  secretArn = (await secrets.send(new CreateSecretCommand({ Name: 'neo4j-admin', SecretString: JSON.stringify({ username: 'neo4j', password: PASSWORD }) }))).ARN!;
  ({ groups, listenerArn } = await createMotoBoltEndpoint(ec2, elb));
  for (const name of ['neo4j-green-errors', 'neo4j-green-latency']) {
    await cloudwatch.send(new PutMetricAlarmCommand({
      AlarmName: name, Namespace: 'Neo4j/Green', MetricName: name.endsWith('errors') ? 'Errors' : 'LatencyP99', Statistic: 'Sum',
      Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }));
  }
  alarmArns = ['neo4j-green-errors', 'neo4j-green-latency'].map((n) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${n}`);
  for (const server of [blue, green]) await run(server, PEOPLE);
  proxy = await startListenerProxy({
    elb, listenerArn, backends: { [groups.blue]: { host: blue.host, port: blue.port }, [groups.green]: { host: green.host, port: green.port } },
  });
}, 240_000);

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([moto?.stop(), blue?.stop(), green?.stop()]);
  // The figures the report quotes.
  console.log(`blue/green rehearsal figures: ${JSON.stringify(timings)}`);
});

async function run(server: Neo4jServer, cypher: string) {
  const driver = connect(server.boltUri, { username: 'neo4j', password: PASSWORD }, { disableLosslessIntegers: true });
  try {
    return (await driver.executeQuery(cypher)).records.map((r) => r.toObject());
  } finally {
    await driver.close();
  }
}

/** Runs the fragments' definition with every task's handler logic on the real parts. */
interface Rehearsal {
  readonly queries: CompatibilityQuery[];
  readonly bakeTime: Duration;
  readonly switchTimeout?: Duration;
  /** Runs beside the execution, with the states entered so far. */
  readonly during?: (entered: string[]) => Promise<void>;
  /** The traffic switch's ELBv2 client (a harness seam may slow it). */
  readonly switchElb?: ElasticLoadBalancingV2Client;
  readonly waitTimeOverrides?: Record<string, number>;
}

async function rehearse(name: string, r: Rehearsal) {
  const built = buildSwitchProcedure({
    endpoint: { listenerArn, boltUri: proxy.boltUri, targetGroupArns: groups },
    alarmArns, credentialsSecretArn: secretArn, greenBoltUri: green.boltUri, queries: r.queries, bakeTime: r.bakeTime, switchTimeout: r.switchTimeout,
  });
  const { definition, handlerOfState } = switchProcedureDefinition(built);
  const log = memoryLogger();
  const logics: Record<string, (input: never) => Promise<unknown>> = {
    'traffic-switch': (input) => trafficSwitch({ elb: r.switchElb ?? elb, ssm, log }, input),
    'bake-watch': (input) => bakeWatch({ cloudwatch, secrets, connect: connectBolt, log }, input),
    'compatibility-check': (input) => compatibilityCheck({ secrets, connect: (uri, c) => connect(uri, c), log }, input),
  };
  const entered: string[] = [];
  const startedAt: Record<string, number> = {};
  const handlers = Object.fromEntries(Object.entries(handlerOfState).map(([state, handler]) => [state, async (params: unknown) => {
    startedAt[state] ??= Date.now();
    return { Payload: await logics[handler]((params as { Payload: never }).Payload), StatusCode: 200 };
  }]));
  const machine = runWithLimits(definition, { cluster: { credentialsSecretArn: secretArn }, results: {} }, {
    taskResourceLocalHandlers: handlers,
    waitTimeOverrides: r.waitTimeOverrides,
    context: { Execution: { Name: name, Id: `arn:aws:states:us-east-1:123456789012:execution:blue-green:${name}` }, State: { get EnteredTime() { return new Date().toISOString(); } } },
  });
  const consumed = (async () => {
    for await (const e of machine.eventLogs) {
      const ev = e as { type: string; state?: { name: string } };
      if (ev.type === 'StateEntered' && ev.state) entered.push(ev.state.name);
    }
  })();
  const watching = r.during?.(entered);
  let outcome: { status: 'SUCCEEDED' | 'FAILED'; error?: string; cause?: string; output?: unknown };
  try {
    outcome = { status: 'SUCCEEDED', output: await machine.result };
  } catch (e) {
    // aws-local-stepfunctions wraps the Fail state's error (its name and cause) in an ExecutionError.
    const wrapped = e as { cause?: { name?: string; message?: string } };
    const inner = wrapped.cause && typeof wrapped.cause === 'object' ? wrapped.cause : (e as { name?: string; message?: string });
    outcome = { status: 'FAILED', error: inner.name, cause: inner.message };
  }
  await consumed;
  await watching;
  return { ...outcome, entered, startedAt, log };
}

const waitFor = async (what: string, ok: () => boolean, withinMs: number) => {
  const deadline = Date.now() + withinMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test('a compatibility query that green answers differently stops before the switch: the listener never changes', async () => {
  const t0 = Date.now();
  const result = await rehearse('compat-stop', { queries: [...QUERIES, ON_FIVE], bakeTime: Duration.seconds(30) });
  timings.compatibilityStopMs = Date.now() - t0;
  expect(result).toMatchObject({ status: 'FAILED', error: 'CompatibilityMismatchError' });
  expect(result.cause).toMatch(/"runs on 5.x".*row 0: expected \{"onFive":true\}, got \{"onFive":false\}/);
  expect(result.entered).not.toContain('Switch: switch the endpoint to green');
  expect(result.entered.at(-1)).toBe('Stopped: traffic on blue');
  expect(proxy.changes.map((c) => c.targetGroupArn)).toEqual([groups.blue]);
  await expect(ssm.send(new GetParameterCommand({ Name: `${LOCK}/traffic-switch` }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
}, 60_000);

test('an alarm in ALARM during the bake switches traffic back to blue automatically; the workload loses nothing', async () => {
  const workload = startWorkload(proxy.boltUri, { username: 'neo4j', password: PASSWORD });
  let alarmAt = 0;
  const result = await rehearse('bake-alarm', { queries: QUERIES, bakeTime: Duration.seconds(60), during: async (entered) => {
    await waitFor('the bake', () => entered.includes('Switch: bake on green'), 30_000);
    await waitFor('a commit on green', () => workload.firstCommitOn(NEO4J_NEWEST_VERSION, 0) !== undefined, 10_000);
    await new Promise((r) => setTimeout(r, 1000));
    alarmAt = Date.now();
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'neo4j-green-errors', StateValue: 'ALARM', StateReason: 'rehearsal: green errors' }));
  } });
  const backOnBlue = await (async () => { await waitFor('a commit on blue after the alarm', () => workload.firstCommitOn(NEO4J_LTS_VERSION, alarmAt) !== undefined, 10_000); return workload.firstCommitOn(NEO4J_LTS_VERSION, alarmAt)!; })();
  await new Promise((r) => setTimeout(r, 500));
  const stats = await workload.stop();
  await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'neo4j-green-errors', StateValue: 'OK', StateReason: 'rehearsal: reset' }));

  expect(result).toMatchObject({ status: 'FAILED', error: 'BakeFailedError' });
  expect(result.cause).toMatch(/neo4j-green-errors \(rehearsal: green errors\) in ALARM during the bake/);
  expect(result.entered.slice(-3)).toEqual(['Switch: switch back to blue', 'Switch: traffic back on blue', 'Stopped: traffic on blue']);
  expect(proxy.current()).toBe(groups.blue);
  expect(proxy.changes.map((c) => c.targetGroupArn)).toEqual([groups.blue, groups.green, groups.blue]);

  // Every acknowledged write is on one of the two servers; none failed for good.
  const found = (await Promise.all([blue, green].map((s) => run(s, 'MATCH (t:Tick) RETURN count(t) AS n')))).reduce((a, r) => a + Number(r[0].n), 0);
  expect(found).toBe(stats.committed);
  expect(stats.failed).toBe(0);
  expect(stats.byAgent[`Neo4j/${NEO4J_NEWEST_VERSION}`]).toBeGreaterThan(0);

  const switchStarted = result.startedAt['Switch: switch the endpoint to green'];
  const switchBackStarted = result.startedAt['Switch: switch back to blue'];
  Object.assign(timings, {
    switchMs: workload.firstCommitOn(NEO4J_NEWEST_VERSION, switchStarted)! - switchStarted,
    alarmToSwitchBackStartMs: switchBackStarted - alarmAt,
    alarmToFirstCommitOnBlueMs: backOnBlue - alarmAt,
    committed: stats.committed, failed: stats.failed, retried: stats.retried, lost: stats.committed - found,
    byAgent: stats.byAgent as never,
  });
  expect(timings.alarmToFirstCommitOnBlueMs).toBeLessThan(5000);
}, 120_000);

test('a switch that outlives its timeout undoes itself once the slow call has ended: traffic back on blue', async () => {
  // Harness seam: the switch's ModifyListener lands 2.5 s late, after the 1 s switch timeout.
  const slow = new ElasticLoadBalancingV2Client(motoClientConfig(moto));
  slow.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'ModifyListenerCommand') await new Promise((r) => setTimeout(r, 2500));
    return next(args);
  }, { step: 'initialize', name: 'lateModifyListener' });
  const t0 = Date.now();
  const result = await rehearse('switch-timeout', {
    queries: QUERIES, bakeTime: Duration.seconds(30), switchTimeout: Duration.seconds(1), switchElb: slow,
    // The Wait covers the switch function's own timeout (60 s); here the slow call ends after 2.5 s.
    waitTimeOverrides: { 'Switch: the timed-out switch ends': 3000 },
  });
  timings.switchTimeoutUndoneMs = Date.now() - t0;
  expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
  expect(result.entered.slice(-5)).toEqual([
    'Switch: switch the endpoint to green', 'Switch: the timed-out switch ends', 'Switch: switch back to blue', 'Switch: traffic back on blue', 'Stopped: traffic on blue',
  ]);
  // The late switch did reach the listener; the switch-back, after it, put blue back.
  expect(proxy.changes.slice(-2).map((c) => c.targetGroupArn)).toEqual([groups.green, groups.blue]);
  expect(proxy.current()).toBe(groups.blue);
}, 60_000);

test('a bake that passes leaves traffic on green, blue untouched, and reports green\'s deprecation notifications', async () => {
  const before = (await run(blue, 'MATCH (n) RETURN count(n) AS n'))[0].n;
  const t0 = Date.now();
  const result = await rehearse('bake-passes', { queries: QUERIES, bakeTime: Duration.seconds(3) });
  timings.passingBakeMs = Date.now() - t0;
  expect(result).toMatchObject({ status: 'SUCCEEDED' });
  const output = result.output as { results: { proof: { compatibility: { Payload: { passed: number; deprecations: number; notifications: { query: string; code: string }[] } } }; switch: { bake: { Payload: { baked: boolean; bakedSeconds: number } } } } };
  expect(output.results.proof.compatibility.Payload).toMatchObject({ passed: 2 });
  expect(output.results.proof.compatibility.Payload.deprecations).toBeGreaterThan(0);
  expect(output.results.proof.compatibility.Payload.notifications).toEqual(expect.arrayContaining([
    expect.objectContaining({ query: 'people have ids', code: expect.stringMatching(/Deprecat/) }),
  ]));
  expect(output.results.switch.bake.Payload).toMatchObject({ baked: true });
  expect(output.results.switch.bake.Payload.bakedSeconds).toBeGreaterThanOrEqual(3);
  expect(proxy.current()).toBe(groups.green);
  expect((await run(blue, 'MATCH (n) RETURN count(n) AS n'))[0].n).toBe(before); // blue kept as it was, still answering
}, 60_000);

const FORWARD = [
  'Preflight: take the upgrade lock', 'Preflight: snapshot every data volume', 'Freeze: blue read-only (writes refused until the switch)',
  'Seed green from blue (export and import over Bolt)', 'Validate: capture blue (counts, checksums, schema)', 'Validate: compare green with blue',
  'Proof: compatibility queries on green', 'Proof: the same queries timed on blue and green', 'Freeze: still within its bound',
  'Switch: switch the endpoint to green', 'Switch: bake on green', 'After: stop blue: update the stack parameters', 'After: stop blue: wait for UPDATE_COMPLETE',
  'After: blue stopped and retained (volumes and snapshots kept)', 'After: release the lock (blue stopped, retained)', 'After: publish the result',
];

/** Blue's groups back at one node each (what an operator does to run a stopped blue again). */
async function runBlueAgain(stackId: string) {
  const cfn = new CloudFormationClient(motoClientConfig(moto));
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackId }))).Stacks![0];
  const sizes = ['MinSize', 'DesiredCapacity', 'SlaveMinSize', 'SlaveDesiredCapacity'];
  if (!(stack.Parameters ?? []).some((p) => sizes.includes(p.ParameterKey!) && p.ParameterValue === '0')) return;
  await cfn.send(new UpdateStackCommand({
    StackName: stackId, UsePreviousTemplate: true,
    Parameters: (stack.Parameters ?? []).map((p) => (sizes.includes(p.ParameterKey!) ? { ParameterKey: p.ParameterKey, ParameterValue: '1' } : { ParameterKey: p.ParameterKey, UsePreviousValue: true })),
  }));
}

/** Blue's stack on moto, created once for the whole-construct runs. */
let blueStackId: string | undefined;

/**
 * The whole construct's definition in the executor, every task its handler's real logic on moto and the
 * two servers, from a clean start: traffic on blue, blue writable, green emptied (as the app deploys it).
 */
async function rehearseUpgrade(name: string, over: Partial<Parameters<typeof buildBlueGreenUpgrade>[0]> = {}, during?: (entered: string[], workload: ReturnType<typeof startWorkload>) => Promise<void>) {
  await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: groups.blue }] }));
  proxy.unhold();
  await waitFor('the proxy on blue', () => proxy.current() === groups.blue && Object.keys(proxy.weights()).length === 1, 5000);
  await run(green, 'MATCH (n) DETACH DELETE n');
  // After a successful upgrade blue is stopped (groups at zero): the next run starts from blue running again.
  if (blueStackId) await runBlueAgain(blueStackId);
  blueStackId ??= await createBlueOnMoto(moto);
  const built = buildBlueGreenUpgrade({
    endpoint: { listenerArn, boltUri: proxy.boltUri, targetGroupArns: groups }, alarmArns, credentialsSecretArn: secretArn,
    blueBoltUri: blue.boltUri, greenBoltUri: green.boltUri, queries: QUERIES, bakeTime: Duration.seconds(3),
    // This shared 2-core machine times one JVM against another: the bound is loose; the ratio is reported.
    maxSlowdown: 50, maxWriteFreeze: Duration.minutes(5), ...over,
  });
  const { definition, handlerOfState } = blueGreenDefinition(built);
  await new SNSClient(motoClientConfig(moto)).send(new CreateTopicCommand({ Name: UPGRADE_TOPIC.split(':').pop() }));

  const access: { access: string; at: number }[] = [];
  const freeze = freezeSeam(proxy, groups.blue, access);
  const log = memoryLogger();
  const enteredAt: Record<string, number> = {};
  const entered: string[] = [];
  const outputs: Record<string, Record<string, unknown>> = {};
  const handlers = Object.fromEntries(Object.entries(handlerOfState).map(([state, handler]) => [state, async (params: unknown) => {
    const logic = loadLogic(`${__dirname}/../..`, handler);
    outputs[state] = await logic(handlerDeps(moto, handler, log, { freeze, stackId: blueStackId! }), (params as { Payload: never }).Payload) as Record<string, unknown>;
    return { Payload: outputs[state], StatusCode: 200 };
  }]));
  const workload = startWorkload(proxy.boltUri, { username: 'neo4j', password: PASSWORD }, { pauseMs: 20, connectionLifetimeMs: 500, label: 'Order', retryUntilCommitted: true });
  await waitFor('orders on blue', () => workload.stats.committed >= 5, 20_000);
  const t0 = Date.now();
  const machine = runWithLimits(definition, { dockerImage: `neo4j:${NEO4J_NEWEST_VERSION}-enterprise` }, {
    taskResourceLocalHandlers: handlers,
    context: { Execution: { Name: name, Id: `arn:aws:states:us-east-1:123456789012:execution:blue-green:${name}` }, State: { get EnteredTime() { return new Date().toISOString(); } } },
  });
  const consumed = (async () => {
    for await (const e of machine.eventLogs) {
      const ev = e as { type: string; state?: { name: string } };
      if (ev.type === 'StateEntered' && ev.state) { entered.push(ev.state.name); enteredAt[ev.state.name] ??= Date.now(); }
    }
  })();
  const watching = during?.(entered, workload);
  let outcome: { status: string; error?: string; output?: unknown };
  try {
    outcome = { status: 'SUCCEEDED', output: await machine.result };
  } catch (e) {
    const inner = (e as { cause?: { name?: string; message?: string } }).cause ?? (e as Error);
    outcome = { status: 'FAILED', error: `${inner.name}: ${inner.message}` };
  }
  await consumed;
  // A watcher that gave up says how the execution ended.
  await watching?.catch((e: Error) => { throw new Error(`${e.message}; the execution: ${JSON.stringify(outcome).slice(0, 600)}, last states ${JSON.stringify(entered.slice(-4))}`); });
  return { outcome, entered, enteredAt, outputs, access, workload, totalMs: Date.now() - t0 };
}

test('the whole blue/green upgrade: green seeded and validated equal, compatible, switched after a bounded write freeze, blue retained; no write lost', async () => {
  const { outcome, entered, enteredAt, outputs, access, workload, totalMs } = await rehearseUpgrade('blue-green-upgrade');
  const stackId = blueStackId!;
  await waitFor('an order on green', () => workload.firstCommitOn(NEO4J_NEWEST_VERSION, enteredAt[FORWARD[9]] ?? Date.now()) !== undefined, 15_000).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 500));
  const stats = await workload.stop();

  // On a failure the message shows the error and the last states entered.
  expect({ status: outcome.status, error: outcome.error, last: outcome.error && entered.slice(-4) }).toEqual({ status: 'SUCCEEDED', error: undefined, last: undefined });
  expect(FORWARD.map((name) => entered.indexOf(name))).toEqual([...FORWARD.map((name) => entered.indexOf(name))].sort((a, b) => a - b));
  expect(FORWARD.every((name) => entered.includes(name))).toBe(true);
  // Green holds blue's data: the seed copied it, the validator compared green with blue's baseline equal.
  expect(outputs[FORWARD[3]]).toMatchObject({ copied: true, nodes: expect.any(Number) });
  expect(outputs[FORWARD[5]]).toMatchObject({ mode: 'compare', ok: true, nodes: outputs[FORWARD[3]].nodes });
  expect(outputs[FORWARD[7]]).toMatchObject({ worstRatio: expect.any(Number) });
  // Blue retained: frozen (read-only) and never thawed, its data still there; traffic on green.
  expect(access.map((a) => a.access)).toEqual(['READ ONLY']);
  expect(proxy.current()).toBe(groups.green);
  expect(Number((await run(blue, 'MATCH (p:Person) RETURN count(p) AS n'))[0].n)).toBe(3);
  // Every committed order is on green (those before the freeze were copied, the rest written there): none lost.
  const onGreen = Number((await run(green, 'MATCH (o:Order) RETURN count(DISTINCT o.i) AS n'))[0].n);
  expect(stats.failed).toBe(0);
  expect(onGreen).toBe(stats.committed);
  await expect(ssm.send(new GetParameterCommand({ Name: `${UPGRADE_LOCK}/green-seed` }))).resolves.toBeDefined();
  // Blue stopped through its stack (groups at zero, maximum kept), its volumes and snapshots named in the result and still there.
  const blueStack = (await new CloudFormationClient(motoClientConfig(moto)).send(new DescribeStacksCommand({ StackName: stackId }))).Stacks![0];
  expect(Object.fromEntries((blueStack.Parameters ?? []).filter((p) => /Size|Capacity/.test(p.ParameterKey!)).map((p) => [p.ParameterKey, p.ParameterValue]))).toEqual({
    MinSize: '0', MaxSize: '1', DesiredCapacity: '0', SlaveMinSize: '0', SlaveMaxSize: '1', SlaveDesiredCapacity: '0',
  });
  const retained = (outcome.output as { retained: { stopped: boolean; stackName: string; dataVolumeIds: string[]; snapshotIds: string[] } }).retained;
  expect(retained).toMatchObject({ stopped: true, stackName: 'neo4j-prod', dataVolumeName: 'neo4j-prod-data', environmentName: 'prod' });
  expect(retained.dataVolumeIds).toHaveLength(2);
  const ec2 = new EC2Client(motoClientConfig(moto));
  expect((await ec2.send(new DescribeVolumesCommand({ VolumeIds: retained.dataVolumeIds }))).Volumes).toHaveLength(2);
  expect((await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: retained.snapshotIds }))).Snapshots).toHaveLength(2);

  const frozenAt = access[0].at;
  const lastOnBlue = Math.max(...stats.timeline.filter((t) => t.agent.includes(NEO4J_LTS_VERSION) && t.at <= frozenAt).map((t) => t.at));
  const firstOnGreen = workload.firstCommitOn(NEO4J_NEWEST_VERSION, frozenAt)!;
  Object.assign(timings, {
    upgradeTotalMs: totalMs,
    copyMs: enteredAt[FORWARD[4]] - enteredAt[FORWARD[3]],
    validationMs: enteredAt[FORWARD[6]] - enteredAt[FORWARD[4]],
    compatibilityAndPerformanceMs: enteredAt[FORWARD[8]] - enteredAt[FORWARD[6]],
    writeWindowMs: firstOnGreen - lastOnBlue,
    freezeToSwitchMs: enteredAt[FORWARD[9]] - frozenAt,
    switchToFirstOrderOnGreenMs: firstOnGreen - enteredAt[FORWARD[9]],
    orders: stats.committed, ordersFailed: stats.failed, ordersRetriedByDriver: stats.retried, ordersRetriedByApp: stats.appRetried,
    ordersLost: stats.committed - onGreen, seed: outputs[FORWARD[3]], performance: outputs[FORWARD[7]],
  } as never);
}, 240_000);

test('the whole construct: a compatibility query that fails on green stops before the switch; blue serving and writable, the lock released', async () => {
  const { outcome, entered, access, workload, totalMs } = await rehearseUpgrade('blue-green-compat-stop', { queries: [...QUERIES, ON_FIVE] });
  await new Promise((r) => setTimeout(r, 1000));
  const stats = await workload.stop();
  timings.wholeCompatibilityStopMs = totalMs;
  expect(outcome).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/^CompatibilityMismatchError: .*"runs on 5.x".*row 0: expected \{"onFive":true\}, got \{"onFive":false\}/) });
  expect(entered).not.toContain('Switch: switch the endpoint to green');
  expect(entered.slice(-3)).toEqual(['Stopped: blue takes writes again', 'Stopped: release the lock', 'Stopped: traffic and writes on blue, green kept for inspection']);
  // Blue frozen for the copy, then writable again; traffic never left blue; orders still commit there after the thaw.
  expect(access.map((a) => a.access)).toEqual(['READ ONLY', 'READ WRITE']);
  expect(proxy.changes.at(-1)?.targetGroupArn).toBe(groups.blue);
  expect(workload.firstCommitOn(NEO4J_LTS_VERSION, access[1].at)).toBeDefined();
  expect(stats.byAgent[`Neo4j/${NEO4J_NEWEST_VERSION}`] ?? 0).toBe(0);
  expect(stats.failed).toBe(0);
  await expect(ssm.send(new GetParameterCommand({ Name: UPGRADE_LOCK }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
}, 240_000);
