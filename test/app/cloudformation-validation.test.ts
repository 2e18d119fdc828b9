/**
 * aws-cdk-lib validates every synthesized template against CloudFormation's resource schemas and default
 * rules (its built-in CloudFormation validate plugin). jest.config.js switches that off for the suite
 * (CDK_VALIDATION=false: it costs ~14 s per worker and seconds per synth, and hundreds of tests synthesize);
 * this test runs it, with the cdk.json flags (errors fail synthesis), on one app of each procedure, so the
 * coverage stays. `npm run synth` and the rehearsal's `cdk synth` run it too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { exampleStack } from '../../bin/example-stack';
import { Neo4jVersionFamily } from '../../lib';
import { arangoApp } from '../../tools/rehearsal/apps/arango-app';
import { camundaFleetApp } from '../../tools/rehearsal/apps/camunda-fleet-app';
import { imageRollApp } from '../toolkit/image-roll-app';
import { appWithFeatureFlags } from '../support/app';

jest.setTimeout(300_000);

interface Violation { ruleName: string; severity?: string; description?: string; violatingConstructs?: Array<{ constructPath?: string }> }
interface PluginReport { pluginName: string; conclusion?: string; violations?: Violation[] }

/** Synthesizes with aws-cdk-lib's default validation on; returns the CloudFormation plugin's report. */
function validated(build: (app: App) => Stack): PluginReport {
  const saved = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  try {
    const app = appWithFeatureFlags();
    build(app);
    try {
      app.synth({ force: true });
    } catch (e) {
      // With the cdk.json flags an error fails synthesis; the report still says which.
      if (!String(e).includes('ValidationFailed')) throw e;
    }
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as { pluginReports?: PluginReport[] };
    const cfn = (report.pluginReports ?? []).filter((r) => /cloudformation/i.test(r.pluginName));
    if (cfn.length !== 1) throw new Error(`expected one CloudFormation validation report, got ${(report.pluginReports ?? []).map((r) => r.pluginName).join(', ') || 'none'}`);
    return cfn[0];
  } finally {
    if (saved === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = saved;
  }
}

const findings = (r: PluginReport) => (r.violations ?? []).map((v) => `${v.severity} ${v.ruleName}: ${(v.violatingConstructs ?? []).map((x) => x.constructPath).join(', ')} ${v.description ?? ''}`);

test.each([
  ['the example app (Neo4jCluster + Neo4jStagedUpgrade)', (app: App) => exampleStack(app, {
    stackName: 'Neo4jProduction', description: 'validation check', dockerImage: 'neo4j:3.5.34-enterprise', versionFamily: Neo4jVersionFamily.V3_5_HA, environmentName: 'production',
  })],
  ['a toolkit-built image roll', imageRollApp],
  ['the schema-first rolling upgrade of a Camunda fleet', (app: App) => camundaFleetApp(app)],
  ['the role-ordered upgrade of an ArangoDB cluster', arangoApp],
])('%s passes aws-cdk-lib\'s CloudFormation validation with the cdk.json flags', (_name, build) => {
  const report = validated(build);
  expect(findings(report)).toEqual([]);
  expect(report.conclusion).toBe('success');
});

test('the check can fail: a property CloudFormation does not know is reported', () => {
  const report = validated((app) => {
    const stack = new Stack(app, 'Broken', { env: { account: '123456789012', region: 'us-east-1' } });
    new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic', properties: { NoSuchProperty: 'x' } });
    return stack;
  });
  expect(findings(report).join('\n')).toMatch(/NoSuchProperty/);
  expect(report.conclusion).not.toBe('success');
});
