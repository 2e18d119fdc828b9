import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('traffic-switch', (log) => ({ elb: new ElasticLoadBalancingV2Client({}), ssm: new SSMClient({}), log }), logic);
