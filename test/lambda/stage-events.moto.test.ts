import { memoryLogger } from '../../lambda/shared/log';
import { logic } from '../../lambda/stage-events/logic';
import { MotoServer, startMoto } from '../support/moto';
import { stageLogBatch } from './fixtures/execution-log';
import { upgradeEventsQueue } from './fixtures/moto-events';

describe('stage-events against moto_server', () => {
  let moto: MotoServer;
  beforeAll(async () => { moto = await startMoto(); });
  afterAll(async () => { await moto?.stop(); });

  test('a log batch puts Stage Started and Stage Ended on the default bus, where a rule receives them', async () => {
    const bus = await upgradeEventsQueue(moto, 'stage-events');
    const exec = 'arn:aws:states:us-east-1:123456789012:execution:Upgrade-Machine:run-1';
    await expect(logic({ events: bus.events, log: memoryLogger() }, stageLogBatch(exec))).resolves.toEqual({ read: 4, sent: 2 });
    const delivered = await bus.received();
    expect(delivered.map((e) => [e.source, e['detail-type'], e.detail.eventKey])).toEqual([
      ['neo4j-ecs-upgrades', 'Upgrade Stage Started', `${exec}#rollImage#started`],
      ['neo4j-ecs-upgrades', 'Upgrade Stage Ended', `${exec}#rollImage#ended`],
    ]);
    expect(delivered[1]).toMatchObject({ resources: [exec], detail: { durationSeconds: 450, stage: { key: 'rollImage', seedStep: '000/1' } } });
  });
});
