import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Neo4jCluster } from '../../lib';
import { appWithFeatureFlags } from '../support/app';
import { EXAMPLE_PROPS } from '../support/example-cluster';
import { unacknowledgedNagFindings } from '../support/nag';

test('cdk-nag AwsSolutions leaves no unacknowledged finding on the cluster', () => {
  const app = appWithFeatureFlags();
  const stack = new Stack(app, 'Nag', { env: { account: '123456789012', region: 'us-east-1' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  new Neo4jCluster(stack, 'Neo4j', { ...EXAMPLE_PROPS, dataVolume: { ...EXAMPLE_PROPS.dataVolume, encryptionKey: key } });
  const findings = unacknowledgedNagFindings(app);
  expect(findings.map((f) => `${f.rule} ${f.path}`)).toEqual([]);
});

test('the nag check reports an unacknowledged finding (it can fail)', () => {
  const app = appWithFeatureFlags();
  const stack = new Stack(app, 'NagProbe');
  new sns.Topic(stack, 'PlainTopic');
  const rules = unacknowledgedNagFindings(app).map((f) => f.rule);
  expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SNS3']));
});
