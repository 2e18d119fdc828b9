/** The compatibility check refuses bad input before reading the credentials or connecting (the real run: switch-with-bake.rehearsal.test.ts). */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CompatibilityCheckInput, logic } from '../../lambda/compatibility-check/logic';
import { memoryLogger } from '../../lambda/shared/log';

const secrets = mockClient(SecretsManagerClient);
const connect = jest.fn();
const INPUT: CompatibilityCheckInput = {
  cluster: { credentialsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:neo4j-admin' },
  greenBoltUri: 'bolt://neo4j-green.internal:7687',
  queries: [{ name: 'people', cypher: 'MATCH (p:Person) RETURN count(p) AS n', expectedRows: [{ n: 3 }] }],
};

test.each([
  [{ greenBoltUri: 'https://green:7473' }, /greenBoltUri must be a bolt:\/\/ or neo4j:\/\/ URI, got "https:\/\/green:7473"/],
  [{ queries: [] }, /queries must be an array of at least 1 item\(s\), got \[\]/],
  [{ queries: [{ name: 'q', cypher: ' ', expectedRows: [] }] }, /queries\[0\].cypher must be a non-empty string, got " "/],
  [{ queries: [{ name: 'q', cypher: 'RETURN 1', expectedRows: [1] }] }, /queries\[0\].expectedRows \(q\) must be an array of row objects, got \[1\]/],
  [{ queries: [INPUT.queries[0], INPUT.queries[0]] }, /queries names "people" twice/],
  [{ database: 7 }, /database must be a non-empty string, got 7/],
])('refuses %j before any call', async (over, message) => {
  await expect(logic({ secrets: new SecretsManagerClient({}), connect, log: memoryLogger() }, { ...INPUT, ...over } as CompatibilityCheckInput))
    .rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
  expect(secrets).not.toHaveReceivedAnyCommand();
  expect(connect).not.toHaveBeenCalled();
});
