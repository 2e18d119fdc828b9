import { ECSClient } from '@aws-sdk/client-ecs';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('ecs-services-steady', (log) => ({ ecs: new ECSClient({}), log }), logic);
