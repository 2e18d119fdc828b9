import { makeAwsDeps } from '../shared/ec2-clients';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('volume-detached', (log) => ({ ...makeAwsDeps(), log }), logic);
