import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { connectBolt } from '../shared/bolt';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler(
  'bake-watch',
  (log) => ({ cloudwatch: new CloudWatchClient({}), secrets: new SecretsManagerClient({}), connect: connectBolt, log }),
  logic,
);
