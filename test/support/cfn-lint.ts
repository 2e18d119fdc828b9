import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CFN_LINT_HINT = 'cfn-lint was not found on PATH. Install it with: pip install cfn-lint';

/** Runs cfn-lint on a template; returns its exit code (bit 2 = errors) and output. */
export function cfnLint(template: unknown): { status: number; output: string } {
  if (spawnSync('sh', ['-c', 'command -v cfn-lint']).status !== 0) throw new Error(CFN_LINT_HINT);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-')), 'template.json');
  fs.writeFileSync(file, JSON.stringify(template));
  const run = spawnSync('cfn-lint', ['--format', 'parseable', file], { encoding: 'utf8' });
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

/** cfn-lint's error lines (rule ids E...); warnings and informational findings are not errors. */
export function cfnLintErrors(template: unknown): string[] {
  const { status, output } = cfnLint(template);
  const errors = output.split('\n').filter((l) => /:E\d+:/.test(l));
  if ((status & 2) !== 0 && errors.length === 0) return [`cfn-lint exited ${status}: ${output}`];
  return errors;
}
