import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { PublishResultInput, logic } from '../../lambda/publish-result/logic';
import { memoryLogger } from '../../lambda/shared/log';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { sentNotifications } from './fixtures/moto-sns';
import { clusterContext } from './fixtures/upgrade-stack';

describe('publish-result against moto_server', () => {
  let moto: MotoServer;
  let sns: SNSClient;
  beforeAll(async () => {
    moto = await startMoto();
    sns = new SNSClient(motoClientConfig(moto));
  });
  afterAll(async () => { await moto?.stop(); });

  test('the published message carries the result', async () => {
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'neo4j-results' }))).TopicArn!;
    const out = await logic({ sns, log: memoryLogger() }, {
      cluster: clusterContext('neo4j-prod'), executionArn: 'run-1', topicArn, outcome: 'SUCCEEDED',
      stages: { 'roll-image': { startedAt: '2026-06-01T12:00:00Z', endedAt: '2026-06-01T12:01:00Z' } },
    } as PublishResultInput);
    const sent = await sentNotifications(moto, topicArn);
    expect(sent).toHaveLength(1);
    expect(sent[0].messageId).toBe(out.messageId);
    expect(sent[0].subject).toBe('Neo4j upgrade SUCCEEDED: neo4j-prod');
    expect(sent[0].message).toContain('roll-image');
    expect(sent[0].message).toContain('"durationSeconds": 60');
  });
});
