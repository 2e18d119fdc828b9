/**
 * The rehearsal deploys a multi-stack app one stack at a time; a consumer stack's references to a
 * producer's outputs are replaced by the values moto gave those outputs (moto has no Fn::GetStackOutput).
 */
import { DeployedStack, resolveCrossStackReferences } from '../../tools/rehearsal/emulator';
import { CfnTemplate } from '../../tools/rehearsal/synth';

const producer = {
  stackName: 'ClusterStack',
  outputs: { PublishOutputRefGroup: { value: 'neo4j-main-asg' }, ExportsSg: { value: 'sg-123', exportName: 'ClusterStack:ExportsSg' } },
} as unknown as DeployedStack;

describe('resolveCrossStackReferences', () => {
  test('Fn::GetStackOutput and Fn::ImportValue become the producer\'s output values; nothing else changes', () => {
    const template: CfnTemplate = {
      Resources: {
        Rule: {
          Type: 'AWS::EC2::SecurityGroupIngress',
          Properties: {
            GroupId: { 'Fn::ImportValue': 'ClusterStack:ExportsSg' },
            Description: { 'Fn::Join': ['', ['group ', { 'Fn::GetStackOutput': { StackName: 'ClusterStack', OutputName: 'PublishOutputRefGroup', Region: 'us-east-1' } }]] },
            SourceSecurityGroupId: { 'Fn::GetAtt': ['Sg', 'GroupId'] },
          },
        },
      },
    };
    const { template: out, resolved } = resolveCrossStackReferences(template, [producer]);
    expect(resolved).toBe(2);
    expect(out.Resources.Rule.Properties).toEqual({
      GroupId: 'sg-123', Description: { 'Fn::Join': ['', ['group ', 'neo4j-main-asg']] }, SourceSecurityGroupId: { 'Fn::GetAtt': ['Sg', 'GroupId'] },
    });
  });

  test('a reference to an output no deployed stack has is an error naming it', () => {
    const template: CfnTemplate = { Resources: { X: { Type: 'T', Properties: { V: { 'Fn::GetStackOutput': { StackName: 'Other', OutputName: 'Out' } } } } } };
    expect(() => resolveCrossStackReferences(template, [producer])).toThrow(/Fn::GetStackOutput Other\.Out: no such deployed stack output/);
    expect(() => resolveCrossStackReferences({ Resources: { X: { Type: 'T', Properties: { V: { 'Fn::ImportValue': 'nope' } } } } }, [producer]))
      .toThrow(/Fn::ImportValue nope: no deployed stack exports it/);
  });
});
