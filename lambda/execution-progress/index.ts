import { SFNClient } from '@aws-sdk/client-sfn';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('execution-progress', (log) => ({ sfn: new SFNClient({}), log }), logic);
