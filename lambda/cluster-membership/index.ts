import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { connectBolt } from '../shared/bolt';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler(
  'cluster-membership',
  (log) => ({ secrets: new SecretsManagerClient({}), connect: connectBolt, now: () => new Date(), log }),
  logic,
);
