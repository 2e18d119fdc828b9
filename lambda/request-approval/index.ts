import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler(
  'request-approval',
  (log) => ({ sns: new SNSClient({}), ssm: new SSMClient({}), events: new EventBridgeClient({}), log }),
  logic,
);
