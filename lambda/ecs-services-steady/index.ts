import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('ecs-services-steady', (log) => ({ ecs: new ECSClient({}), ssm: new SSMClient({}), log }), logic);
