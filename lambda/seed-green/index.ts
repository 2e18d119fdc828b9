import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { connect } from '../../validator/connect';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler(
  'seed-green',
  (log) => ({ ssm: new SSMClient({}), secrets: new SecretsManagerClient({}), connect: (uri, credentials) => connect(uri, credentials), log }),
  logic,
);
