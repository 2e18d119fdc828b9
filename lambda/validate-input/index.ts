import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { homeRegion } from '../shared/ec2-clients';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('validate-input', (log) => ({ region: homeRegion(), cfn: new CloudFormationClient({}), log }), logic);
