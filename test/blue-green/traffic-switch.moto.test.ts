/**
 * The traffic switch against moto_server's ELBv2 and SSM: an internal network load balancer, a blue and
 * a green TCP target group, a Bolt listener forwarding to blue; the handler moves it with ModifyListener
 * and reads it with DescribeListeners, and keeps its record in SSM. moto 5 stores a listener's forward
 * action as given (TargetGroupArn or ForwardConfig with weights) and describes it back, as ELBv2 does for a
 * network load balancer since its weighted target groups (November 2025): a gradual switch's steps.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { DescribeListenersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { memoryLogger } from '../../lambda/shared/log';
import { TrafficSwitchInput, logic } from '../../lambda/traffic-switch/logic';
import * as net from 'node:net';
import { startListenerProxy } from '../../tools/listener-proxy';
import { freePort } from '../../tools/free-port';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { createMotoBoltEndpoint } from '../support/moto-bolt-endpoint';

const LOCK = '/neo4j-upgrades/production/blue-green-lock';
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:blue-green:run-1';

describe('traffic-switch against moto_server', () => {
  let moto: MotoServer;
  let elb: ElasticLoadBalancingV2Client;
  let ssm: SSMClient;
  let listenerArn: string;
  let groups: { blue: string; green: string };
  const log = memoryLogger();

  beforeAll(async () => {
    moto = await startMoto();
    const config = motoClientConfig(moto);
    const ec2 = new EC2Client(config);
    elb = new ElasticLoadBalancingV2Client(config);
    ssm = new SSMClient(config);
    const endpoint = await createMotoBoltEndpoint(ec2, elb);
    expect(endpoint.loadBalancer.Type).toBe('network');
    ({ groups, listenerArn } = endpoint);
  });
  afterAll(async () => moto?.stop());

  const run = (input: Partial<TrafficSwitchInput>) => logic({ elb, ssm, log }, {
    action: 'switch', listenerArn, targetGroups: groups, lockParameterName: LOCK, executionId: EXECUTION, ...input,
  } as TrafficSwitchInput);
  const forwardedTo = async () => {
    const action = (await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners![0].DefaultActions![0];
    return action.ForwardConfig?.TargetGroups?.map((t) => t.TargetGroupArn) ?? [action.TargetGroupArn];
  };

  test('a gradual switch 90/10, 50/50, 0/100 through weighted forwards, a repeat, then the rollback back to blue (twice)', async () => {
    await expect(run({ weights: { blue: 90, green: 10 } })).resolves.toMatchObject({ previous: { blue: 100, green: 0 }, weights: { blue: 90, green: 10 }, changed: true });
    const weighted = (await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners![0].DefaultActions![0].ForwardConfig!.TargetGroups;
    expect(weighted).toEqual([expect.objectContaining({ TargetGroupArn: groups.blue, Weight: 90 }), expect.objectContaining({ TargetGroupArn: groups.green, Weight: 10 })]);
    await expect(run({ weights: { blue: 50, green: 50 } })).resolves.toMatchObject({ previous: { blue: 90, green: 10 }, changed: true });
    expect(await forwardedTo()).toEqual([groups.blue, groups.green]);
    await expect(run({ weights: { green: 100 } })).resolves.toMatchObject({ previous: { blue: 50, green: 50 }, changed: true });
    expect(await forwardedTo()).toEqual([groups.green]);
    await expect(run({ weights: { green: 100 } })).resolves.toMatchObject({ changed: false });
    // The record kept the weights before the first step: the rollback restores blue, not 50/50.
    await expect(run({ action: 'rollback' })).resolves.toMatchObject({ weights: { blue: 100, green: 0 }, changed: true });
    expect(await forwardedTo()).toEqual([groups.blue]);
  });

  test('switch to green, a repeat, then the rollback back to blue (twice)', async () => {
    await expect(run({ weights: { blue: 0, green: 100 } })).resolves.toEqual({
      action: 'switch', previous: { blue: 100, green: 0 }, weights: { blue: 0, green: 100 }, changed: true,
    });
    expect(await forwardedTo()).toEqual([groups.green]);
    const record = JSON.parse((await ssm.send(new GetParameterCommand({ Name: `${LOCK}/traffic-switch` }))).Parameter!.Value!);
    expect(record).toEqual({ executionId: EXECUTION, listenerArn, before: { blue: 100, green: 0 } });

    await expect(run({ weights: { green: 100 } })).resolves.toMatchObject({ previous: { blue: 0, green: 100 }, changed: false });

    for (const changed of [true, false]) {
      await expect(run({ action: 'rollback' })).resolves.toEqual({
        action: 'rollback', previous: changed ? { blue: 0, green: 100 } : { blue: 100, green: 0 }, weights: { blue: 100, green: 0 }, changed,
      });
      expect(await forwardedTo()).toEqual([groups.blue]);
    }
  });

  test('a target group the listener forwards to but the input does not name: InvalidInputError, listener unchanged', async () => {
    await expect(run({ targetGroups: { green: groups.green }, weights: { green: 100 } }))
      .rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining(groups.blue) });
    expect(await forwardedTo()).toEqual([groups.blue]);
  });

  test('another execution\'s rollback finds no switch of its own and changes nothing', async () => {
    await run({ weights: { green: 100 }, executionId: `${EXECUTION}-b` });
    await expect(run({ action: 'rollback' })).resolves.toMatchObject({ changed: false, weights: { blue: 0, green: 100 } });
    expect(await forwardedTo()).toEqual([groups.green]);
    await run({ action: 'rollback', executionId: `${EXECUTION}-b` });
    expect(await forwardedTo()).toEqual([groups.blue]);
  });

  test('the listener proxy follows a weighted forward per connection: 25/75 sends exactly one connection of four to blue', async () => {
    // Two tiny servers that name themselves and close, behind blue and green.
    const servers = await Promise.all(['blue', 'green'].map(async (name) => {
      const server = net.createServer((socket) => socket.end(name));
      const port = await freePort();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      return { server, port };
    }));
    await run({ weights: { blue: 25, green: 75 }, executionId: `${EXECUTION}-proxy` });
    const proxy = await startListenerProxy({
      elb, listenerArn, backends: { [groups.blue]: { host: '127.0.0.1', port: servers[0].port }, [groups.green]: { host: '127.0.0.1', port: servers[1].port } },
    });
    const answer = () => new Promise<string>((resolve, reject) => {
      const port = Number(new URL(proxy.boltUri.replace('bolt:', 'http:')).port);
      let text = '';
      net.connect(port, '127.0.0.1').on('data', (d) => { text += d; }).on('close', () => resolve(text)).on('error', reject);
    });
    try {
      expect(proxy.weights()).toEqual({ [groups.blue]: 25, [groups.green]: 75 });
      const answers: string[] = [];
      for (let i = 0; i < 8; i++) answers.push(await answer());
      expect(answers).toEqual(['green', 'blue', 'green', 'green', 'green', 'blue', 'green', 'green']);
      // A held colour refuses its share; the others still answer.
      proxy.hold(groups.blue);
      const held = [];
      for (let i = 0; i < 4; i++) held.push(await answer());
      expect(held.sort()).toEqual(['', 'green', 'green', 'green']);
    } finally {
      await proxy.stop();
      for (const { server } of servers) server.close();
      await run({ action: 'rollback', executionId: `${EXECUTION}-proxy` });
    }
    expect(await forwardedTo()).toEqual([groups.blue]);
  });
});
