import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clusterStack } from '../support/example-cluster';

const CFN_LINT_HINT = 'cfn-lint was not found on PATH. Install it with: pip install cfn-lint';

/** Runs cfn-lint on a template; returns its exit code (bit 2 = errors) and output. */
function cfnLint(template: unknown): { status: number; output: string } {
  if (spawnSync('sh', ['-c', 'command -v cfn-lint']).status !== 0) throw new Error(CFN_LINT_HINT);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-')), 'template.json');
  fs.writeFileSync(file, JSON.stringify(template));
  const run = spawnSync('cfn-lint', ['--format', 'parseable', file], { encoding: 'utf8' });
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

test('cfn-lint reports no errors on the synthesized cluster template', () => {
  const { app } = clusterStack({}, true);
  const template = app.synth().getStackByName('Test').template;
  const { status, output } = cfnLint(template);
  // cfn-lint exit code bits: 2 errors, 4 warnings, 8 informational.
  expect({ errors: (status & 2) !== 0, output: output.split('\n').filter((l) => /:E\d+:/.test(l)) }).toEqual({ errors: false, output: [] });
});

test('cfn-lint catches a broken template (the check can fail)', () => {
  const { status } = cfnLint({ Resources: { Bad: { Type: 'AWS::EC2::Volume', Properties: { Size: 'huge' } } } });
  expect(status & 2).toBe(2);
});
