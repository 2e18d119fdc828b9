import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler('arango-validate-input', (log) => ({
  secrets: new SecretsManagerClient({}), fetch: globalThis.fetch, now: () => new Date(), log,
}), logic);
