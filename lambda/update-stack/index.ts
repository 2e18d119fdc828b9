import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('update-stack', (log) => ({ cfn: new CloudFormationClient({}), log }), logic);
