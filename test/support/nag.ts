import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

export interface NagFinding {
  readonly rule: string;
  readonly path: string;
  readonly message: string;
}

/**
 * Runs cdk-nag's AwsSolutions pack (cdk-nag 3 is a validation plugin) over an app and returns the
 * findings nobody acknowledged. Acknowledgements live next to the resources, each with its reason.
 */
export function unacknowledgedNagFindings(app: App): NagFinding[] {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth({ force: true });
  } catch (e) {
    // Findings interrupt synthesis; the report says which.
    if (!String(e).includes('Validation')) throw e;
  }
  const report = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(report)) return [];
  const parsed = JSON.parse(fs.readFileSync(report, 'utf8'));
  const findings: NagFinding[] = [];
  for (const plugin of parsed.pluginReports ?? []) {
    for (const v of plugin.violations ?? []) {
      for (const r of [...(v.violatingResources ?? []), ...(v.violatingConstructs ?? [])]) {
        findings.push({ rule: v.ruleName, path: r.constructPath ?? r.resourceLogicalId ?? JSON.stringify(r), message: v.description });
      }
    }
  }
  return findings;
}
