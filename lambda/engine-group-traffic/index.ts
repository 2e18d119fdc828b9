import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('engine-group-traffic', (log) => ({ elb: new ElasticLoadBalancingV2Client({}), ecs: new ECSClient({}), log }), logic);
