import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('execution-cleanup', (log) => ({
  ssm: new SSMClient({}), sfn: new SFNClient({}), sns: new SNSClient({}), cfn: new CloudFormationClient({}),
  ec2: new EC2Client({}), autoScaling: new AutoScalingClient({}), log,
}), logic);
