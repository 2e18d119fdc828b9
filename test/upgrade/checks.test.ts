import { cfnLintErrors } from '../support/cfn-lint';
import { upgradeStack } from '../support/example-upgrade';
import { unacknowledgedNagFindings } from '../support/nag';

test('cdk-nag AwsSolutions leaves no unacknowledged finding on the cluster with its staged upgrade', () => {
  const { app } = upgradeStack();
  expect(unacknowledgedNagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
});

test('cfn-lint reports no errors on the template with the upgrade state machine', () => {
  const { app } = upgradeStack();
  expect(cfnLintErrors(app.synth().getStackByName('Upgrade').template)).toEqual([]);
});
