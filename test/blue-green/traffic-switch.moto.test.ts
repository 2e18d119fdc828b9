/**
 * The traffic switch against moto_server's ELBv2 and SSM: an internal network load balancer, a blue and
 * a green TCP target group, a Bolt listener forwarding to blue; the handler moves it with ModifyListener
 * and reads it with DescribeListeners, and keeps its record in SSM. moto 5 stores a listener's forward
 * action as given (TargetGroupArn or ForwardConfig) but does not refuse a weighted forward on a network
 * load balancer as ELBv2 does: the handler refuses it itself (asserted below).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { DescribeListenersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { memoryLogger } from '../../lambda/shared/log';
import { TrafficSwitchInput, logic } from '../../lambda/traffic-switch/logic';
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

  test('switch to green, a repeat, a split refused, then the rollback back to blue (twice)', async () => {
    await expect(run({ weights: { blue: 0, green: 100 } })).resolves.toEqual({
      action: 'switch', previous: { blue: 100, green: 0 }, weights: { blue: 0, green: 100 }, changed: true,
    });
    expect(await forwardedTo()).toEqual([groups.green]);
    const record = JSON.parse((await ssm.send(new GetParameterCommand({ Name: `${LOCK}/traffic-switch` }))).Parameter!.Value!);
    expect(record).toEqual({ executionId: EXECUTION, listenerArn, before: { blue: 100, green: 0 } });

    await expect(run({ weights: { green: 100 } })).resolves.toMatchObject({ previous: { blue: 0, green: 100 }, changed: false });

    // moto would store this weighted forward; ELBv2 refuses it on a network load balancer, and so does the handler.
    await expect(run({ weights: { blue: 50, green: 50 } })).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(/single target group/) });
    expect(await forwardedTo()).toEqual([groups.green]);

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
});
