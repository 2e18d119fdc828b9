import { ECSClient } from '@aws-sdk/client-ecs';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

// observedRunningCounts stays undefined here: only the local rehearsal injects it.
export const handler = lambdaHandler('ecs-services-steady', (log) => ({ ecs: new ECSClient({}), log }), logic);
