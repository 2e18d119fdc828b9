import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('check-input-size', (log) => ({ log }), logic);
