import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler(
  'server-slots',
  (log) => ({ cfn: new CloudFormationClient({}), ec2: new EC2Client({}), autoScaling: new AutoScalingClient({}), log }),
  logic,
);
