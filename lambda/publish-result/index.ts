import { SNSClient } from '@aws-sdk/client-sns';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('publish-result', (log) => ({ sns: new SNSClient({}), log }), logic);
