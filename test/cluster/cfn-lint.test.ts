import { cfnLint, cfnLintErrors } from '../support/cfn-lint';
import { clusterStack } from '../support/example-cluster';

test('cfn-lint reports no errors on the synthesized cluster template', () => {
  const { app } = clusterStack({}, true);
  expect(cfnLintErrors(app.synth().getStackByName('Test').template)).toEqual([]);
});

test('cfn-lint catches a broken template (the check can fail)', () => {
  const { status } = cfnLint({ Resources: { Bad: { Type: 'AWS::EC2::Volume', Properties: { Size: 'huge' } } } });
  expect(status & 2).toBe(2);
});
