import { RDSClient } from '@aws-sdk/client-rds';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('engine-database-snapshot', (log) => ({ rds: new RDSClient({}), log }), logic);
