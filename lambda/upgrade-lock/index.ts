import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('upgrade-lock', (log) => ({ ssm: new SSMClient({}), sfn: new SFNClient({}), log }), logic);
