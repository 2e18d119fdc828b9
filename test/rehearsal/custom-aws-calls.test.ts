import { resolveCustomCall, takeCustomAwsResources } from '../../tools/rehearsal/custom-aws-calls';
import type { CfnTemplate } from '../../tools/rehearsal/synth';

describe('Custom::AWS resources in the rehearsal', () => {
  const create = { 'Fn::Join': ['', ['{"service":"AutoScaling","action":"suspendProcesses","parameters":{"AutoScalingGroupName":"', { Ref: 'MainGroup' }, '","ScalingProcesses":["AZRebalance"]}}']] };

  test('taken out of the template, their call resolved against the deployed resources', () => {
    const template = { Resources: { Suspend: { Type: 'Custom::AWS', Properties: { Create: create } }, MainGroup: { Type: 'AWS::AutoScaling::AutoScalingGroup' } } } as unknown as CfnTemplate;
    const calls = takeCustomAwsResources(template);
    expect(Object.keys(template.Resources)).toEqual(['MainGroup']);
    expect(resolveCustomCall(calls[0].create, (id) => (id === 'MainGroup' ? 'group-1' : undefined))).toEqual({
      service: 'AutoScaling', action: 'suspendProcesses', parameters: { AutoScalingGroupName: 'group-1', ScalingProcesses: ['AZRebalance'] },
    });
    expect(() => resolveCustomCall(create, () => undefined)).toThrow(/Ref MainGroup is not a deployed resource/);
  });
});
