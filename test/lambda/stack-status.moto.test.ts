import { SSMClient } from '@aws-sdk/client-ssm';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { memoryLogger } from '../../lambda/shared/log';
import { logic as stackStatus } from '../../lambda/stack-status/logic';
import { UpdateStackInput, logic as updateStack } from '../../lambda/update-stack/logic';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { INITIAL_PARAMETERS, clusterContext, createUpgradeStack } from './fixtures/upgrade-stack';

/**
 * moto applies an UpdateStack synchronously (UPDATE_COMPLETE at once) and records only stack-level
 * events, so the in-progress and failure paths are covered by stack-status.test.ts only.
 */
describe('stack-status against moto_server', () => {
  let moto: MotoServer;
  let cfn: CloudFormationClient;
  beforeAll(async () => {
    moto = await startMoto();
    cfn = new CloudFormationClient(motoClientConfig(moto));
    await createUpgradeStack(cfn, 'neo4j-prod');
  });
  afterAll(async () => { await moto?.stop(); });

  const cluster = clusterContext('neo4j-prod');

  test('after update-stack: UPDATE_COMPLETE with the parameters now in force', async () => {
    const update = await updateStack({ cfn, ssm: new SSMClient({ region: 'us-east-1' }), log: memoryLogger() }, {
      cluster, executionName: 'run-1', stage: 'scale-out', parameters: { maxSize: 4, desiredCapacity: 4 },
    } as UpdateStackInput);
    const out = await stackStatus({ cfn, ssm: new SSMClient({ region: 'us-east-1' }), log: memoryLogger() }, { cluster, update });
    expect(out).toMatchObject({
      stackStatus: 'UPDATE_COMPLETE', parameters: { ...INITIAL_PARAMETERS, MaxSize: '4', DesiredCapacity: '4' },
    });
    expect(out.stackId).toBe(update.stackId);
  });

  test('a stage with nothing to change reports the status without waiting', async () => {
    // Another stage: the same one again would be a retry of the executed change set (alreadyStarted).
    const update = await updateStack({ cfn, ssm: new SSMClient({ region: 'us-east-1' }), log: memoryLogger() }, {
      cluster, executionName: 'run-1', stage: 'scale-out-again', parameters: { maxSize: 4, desiredCapacity: 4 },
    } as UpdateStackInput);
    expect(update.changed).toBe(false);
    await expect(stackStatus({ cfn, ssm: new SSMClient({ region: 'us-east-1' }), log: memoryLogger() }, { cluster, update }))
      .resolves.toMatchObject({ stackStatus: 'UPDATE_COMPLETE' });
  });
});
