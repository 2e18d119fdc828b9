import { makeAwsDeps } from '../shared/ec2-clients';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('clone-server-volumes', (log) => ({ ...makeAwsDeps(), log }), logic);
