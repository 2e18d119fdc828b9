import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { EcsServerActions } from '../shared/ecs-server-actions';
import { lambdaHandler } from '../shared/handler';
import { ArangoRollbackServersInput, logic } from './logic';

const ecs = new ECSClient({});
export const handler = lambdaHandler('arango-rollback-servers', (log) => ({ ssm: new SSMClient({}), ec2: new EC2Client({}), now: () => new Date(), log }),
  (deps, input: ArangoRollbackServersInput) => logic({ ...deps, actions: new EcsServerActions(ecs, input?.cluster?.ecsClusterName ?? '') }, input));
