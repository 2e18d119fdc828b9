import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('engine-schema-task', (log) => ({ ecs: new ECSClient({}), ssm: new SSMClient({}), now: () => new Date(), log }), logic);
