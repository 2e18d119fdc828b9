import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('stack-status', (log) => ({ cfn: new CloudFormationClient({}), log }), logic);
