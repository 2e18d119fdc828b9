import { performance } from 'node:perf_hooks';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { connect } from '../../validator/connect';
import { lambdaHandler } from '../shared/handler';
import { logic } from './logic';

export const handler = lambdaHandler(
  'performance-compare',
  (log) => ({ secrets: new SecretsManagerClient({}), connect: (uri, credentials) => connect(uri, credentials), log, clock: () => performance.now() }),
  logic,
);
