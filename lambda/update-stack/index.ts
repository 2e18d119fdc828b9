import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SSMClient } from '@aws-sdk/client-ssm';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('update-stack', (log) => ({ cfn: new CloudFormationClient({}), ssm: new SSMClient({}), log }), logic);
