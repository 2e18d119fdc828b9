import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('stage-events', (log) => ({ events: new EventBridgeClient({}), log }), logic);
