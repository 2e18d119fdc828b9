/**
 * A construct library must synthesize the same whatever its consumer's cdk.json says: the README
 * example, in an App with no context at all, gets launch templates (new accounts cannot create launch
 * configurations) and the 3 AZs the README promises, and the same resources and grants as with the
 * recommended feature flags of cdk.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { normalizePolicies } from '../support/normalize-policies';
import { runReadmeExample } from '../support/readme-example';

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..', '..');

/** The README example's template, synthesized with exactly this context (`CDK_CONTEXT_JSON` is what `cdk synth` passes). */
function readmeTemplate(context: Record<string, unknown> | undefined): Record<string, any> {
  const saved = process.env.CDK_CONTEXT_JSON;
  if (context) process.env.CDK_CONTEXT_JSON = JSON.stringify(context);
  else delete process.env.CDK_CONTEXT_JSON;
  try {
    const { stack } = runReadmeExample();
    return Template.fromStack(stack).toJSON();
  } finally {
    if (saved === undefined) delete process.env.CDK_CONTEXT_JSON;
    else process.env.CDK_CONTEXT_JSON = saved;
  }
}

const flagless = readmeTemplate(undefined);
const resources = (template: Record<string, any>, type: string) =>
  Object.values(template.Resources as Record<string, any>).filter((r) => r.Type === type);

test('the README example launches both groups from launch templates, with no launch configuration', () => {
  expect(resources(flagless, 'AWS::AutoScaling::LaunchConfiguration')).toHaveLength(0);
  expect(resources(flagless, 'AWS::EC2::LaunchTemplate')).toHaveLength(2);
  for (const group of resources(flagless, 'AWS::AutoScaling::AutoScalingGroup')) {
    expect(group.Properties.LaunchTemplate.LaunchTemplateId).toEqual({ Ref: expect.stringMatching(/LaunchTemplate/) });
    expect(group.Properties.LaunchConfigurationName).toBeUndefined();
  }
  for (const launchTemplate of resources(flagless, 'AWS::EC2::LaunchTemplate')) {
    expect(launchTemplate.Properties.LaunchTemplateData.MetadataOptions).toEqual({ HttpTokens: 'required' });
    expect(launchTemplate.Properties.LaunchTemplateData.IamInstanceProfile).toBeDefined();
  }
});

test('the README example\'s VPC spans 3 AZs, and the nodes\' private subnets too', () => {
  const subnets = resources(flagless, 'AWS::EC2::Subnet');
  const azs = new Set(subnets.map((s) => JSON.stringify(s.Properties.AvailabilityZone)));
  expect(azs.size).toBe(3);
  const groupSubnets = resources(flagless, 'AWS::AutoScaling::AutoScalingGroup').map((g) => g.Properties.VPCZoneIdentifier.length);
  expect(groupSubnets).toEqual([3, 3]);
});

test('the recommended feature flags of cdk.json change no resource and no grant', () => {
  const flags = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;
  const withFlags = readmeTemplate(flags);
  expect(Object.keys(flags).length).toBeGreaterThan(50);
  expect(normalizePolicies(withFlags)).toEqual(normalizePolicies(flagless));
});

test('the comparison can fail: a flag that does change the template (the legacy stack synthesizer) shows up', () => {
  // Its synthesis warns about every asset parameter: keep the test output readable.
  const quiet = [jest.spyOn(console, 'warn').mockImplementation(() => undefined), jest.spyOn(console, 'error').mockImplementation(() => undefined)];
  const legacySynthesis = readmeTemplate({ '@aws-cdk/core:newStyleStackSynthesis': false });
  quiet.forEach((spy) => spy.mockRestore());
  expect(normalizePolicies(legacySynthesis)).not.toEqual(normalizePolicies(flagless));
});
