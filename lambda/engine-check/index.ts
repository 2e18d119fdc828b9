import { ECSClient } from '@aws-sdk/client-ecs';
import { lambdaHandler } from '../shared/handler';
import { httpGet } from './http-get';
import { logic } from './logic';

export const handler = lambdaHandler('engine-check', (log) => ({ ecs: new ECSClient({}), get: httpGet, log }), logic);
