import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { RequestApprovalInput, logic } from '../../lambda/request-approval/logic';
import { memoryLogger } from '../../lambda/shared/log';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { DeliveredEvent, upgradeEventsQueue } from './fixtures/moto-events';
import { sentNotifications } from './fixtures/moto-sns';
import { clusterContext } from './fixtures/upgrade-stack';

describe('request-approval against moto_server', () => {
  let moto: MotoServer;
  let sns: SNSClient;
  let ssm: SSMClient;
  let topicArn: string;
  let bus: Awaited<ReturnType<typeof upgradeEventsQueue>>;
  beforeAll(async () => {
    moto = await startMoto();
    bus = await upgradeEventsQueue(moto, 'approval-events');
    sns = new SNSClient(motoClientConfig(moto));
    ssm = new SSMClient(motoClientConfig(moto));
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'neo4j-upgrades' }))).TopicArn!;
  });
  afterAll(async () => { await moto?.stop(); });

  const request = (taskToken: string, stage: string) => logic({ sns, ssm, events: bus.events, log: memoryLogger() }, {
    cluster: clusterContext('neo4j-prod'), taskToken, stage, topicArn,
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:neo4j-upgrade:run-1',
    parameterName: '/neo4j-upgrades/neo4j-prod/approval', timeoutSeconds: 3600,
  } as RequestApprovalInput);

  test('one message and one parameter per token; a retry adds nothing; the next stage replaces it', async () => {
    const first = await request('TOKEN-1', 'after-store-upgrade');
    expect(first.published).toBe(true);
    await expect(request('TOKEN-1', 'after-store-upgrade')).resolves.toMatchObject({ published: false, requestedAt: first.requestedAt });

    let sent = await sentNotifications(moto, topicArn);
    expect(sent).toHaveLength(1);
    expect(sent[0].subject).toBe('Neo4j upgrade approval: neo4j-prod after-store-upgrade');
    expect(sent[0].message).toContain("send-task-success --region us-east-1 --task-token 'TOKEN-1'");
    const stored = (await ssm.send(new GetParameterCommand({ Name: '/neo4j-upgrades/neo4j-prod/approval' }))).Parameter!;
    expect(JSON.parse(stored.Value!)).toMatchObject({ taskToken: 'TOKEN-1', stage: 'after-store-upgrade', expiresAt: first.expiresAt });
    expect(stored.Version).toBe(1);

    await request('TOKEN-2', 'before-scale-out');
    sent = await sentNotifications(moto, topicArn);
    expect(sent).toHaveLength(2);
    const replaced = (await ssm.send(new GetParameterCommand({ Name: '/neo4j-upgrades/neo4j-prod/approval' }))).Parameter!;
    expect(JSON.parse(replaced.Value!)).toMatchObject({ taskToken: 'TOKEN-2', stage: 'before-scale-out' });

    // One "Upgrade Approval Requested" per request (the retry sent none), without the token, read back by a rule.
    const delivered: DeliveredEvent[] = await bus.received();
    expect(delivered.map((e) => [e['detail-type'], e.detail.stage])).toEqual([
      ['Upgrade Approval Requested', 'after-store-upgrade'], ['Upgrade Approval Requested', 'before-scale-out'],
    ]);
    expect(delivered[0]).toMatchObject({
      source: 'neo4j-ecs-upgrades', resources: ['arn:aws:states:us-east-1:123456789012:execution:neo4j-upgrade:run-1'],
      detail: { stackName: 'neo4j-prod', parameterName: '/neo4j-upgrades/neo4j-prod/approval', requestedAt: first.requestedAt, expiresAt: first.expiresAt },
    });
    expect(JSON.stringify(delivered)).not.toContain('TOKEN-');
  });
});
