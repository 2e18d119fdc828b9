import { Match, Template } from 'aws-cdk-lib/assertions';
import { upgradeStack } from '../support/example-upgrade';
import { resolvedDefinition } from '../support/state-machine-definition';

const { stack } = upgradeStack();
const template = Template.fromStack(stack);
const json = template.toJSON();
const resources = Object.entries<any>(json.Resources);

/** The logical id of the function of a handler (its Description names it). */
function functionOf(handler: string): string {
  const found = resources.find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === `cdk-neo4j-ecs-upgrades: ${handler}`);
  if (!found) throw new Error(`no function for ${handler}`);
  return found[0];
}

/** Every Allow statement of every policy attached to the role of a handler's function. */
function statementsOf(handler: string): any[] {
  const role = json.Resources[functionOf(handler)].Properties.Role['Fn::GetAtt'][0];
  return resources
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === role))
    .flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
}

const defaultBus = 'arn:aws:events:us-east-1:123456789012:event-bus/default';

describe('events', () => {
  test('the execution log\'s Pass state exits feed stage-events; the stage boundaries stay Pass states (no task, no transition added)', () => {
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      FilterPattern: '{ $.type = "PassStateExited" }',
      DestinationArn: { 'Fn::GetAtt': [functionOf('stage-events'), 'Arn'] },
      LogGroupName: { Ref: Match.stringLikeRegexp('ExecutionLogs') },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [functionOf('stage-events'), 'Arn'] }, Principal: 'logs.amazonaws.com',
    });
    const { definition } = resolvedDefinition(json);
    const boundaries = Object.entries<any>(definition.States).filter(([name]) => / (begin|done)$/.test(name) && /^Stage \d/.test(name));
    expect(boundaries).toHaveLength(16);
    expect(new Set(boundaries.map(([, s]) => s.Type))).toEqual(new Set(['Pass']));
    expect(JSON.stringify(definition)).not.toContain('events:putEvents');
  });

  test('PutEvents: only stage-events and request-approval, on the default bus, with the library\'s source', () => {
    const putters = resources.filter(([, r]) => r.Type === 'AWS::IAM::Policy'
      && JSON.stringify(r.Properties.PolicyDocument).includes('events:PutEvents'));
    expect(putters).toHaveLength(2);
    for (const handler of ['stage-events', 'request-approval']) {
      const put = statementsOf(handler).filter((s) => JSON.stringify(s.Action).includes('events:'));
      expect(put).toEqual([{
        Sid: 'PutUpgradeEvents', Effect: 'Allow', Action: 'events:PutEvents', Resource: defaultBus,
        Condition: { StringEquals: { 'events:source': 'neo4j-ecs-upgrades' } },
      }]);
    }
    expect(statementsOf('stage-events').map((s) => s.Sid)).toEqual(['PutUpgradeEvents']);
  });
});

describe('stage durations and the stuck-execution alarm', () => {
  test('execution-progress runs every 5 minutes with the state machine ARN, and may only list and read this machine\'s executions', () => {
    const machine = resources.find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')![0];
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionOf('execution-progress'), 'Arn'] }, Input: { 'Fn::Join': ['', ['{"stateMachineArn":"', { Ref: machine }, '"}']] } })],
    });
    const reads = statementsOf('execution-progress').filter((s) => JSON.stringify(s.Action).startsWith('"states:'));
    expect(reads).toEqual([
      { Sid: 'ListTheRunningExecutions', Effect: 'Allow', Action: 'states:ListExecutions', Resource: { Ref: machine } },
      {
        Sid: 'ReadTheExecutionHistories', Effect: 'Allow', Action: 'states:GetExecutionHistory',
        Resource: { 'Fn::Join': ['', ['arn:aws:states:us-east-1:123456789012:execution:', { 'Fn::GetAtt': [machine, 'Name'] }, ':*']] },
      },
    ]);
  });

  test('the stuck alarm: MinutesWithoutProgress of this machine at 30 or more, missing data shown as missing', () => {
    const machine = resources.find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')![0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [Match.objectLike({ MetricStat: {
        Metric: { Namespace: 'Neo4jEcsUpgrades', MetricName: 'MinutesWithoutProgress', Dimensions: [{ Name: 'StateMachine', Value: { 'Fn::GetAtt': [machine, 'Name'] } }] },
        Period: 300, Stat: 'Maximum',
      } })],
      Threshold: 30, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'missing',
    });
  });

  test('the dashboard shows each stage\'s duration (a search over the Stage dimension) and the minutes without progress', () => {
    const body = JSON.stringify(resources.find(([, r]) => r.Type === 'AWS::CloudWatch::Dashboard')![1].Properties.DashboardBody);
    expect(body).toContain('Stage duration (s, by stage)');
    expect(body).toContain('SEARCH(\'{Neo4jEcsUpgrades,StateMachine,Stage} MetricName=\\\\\\"StageDuration\\\\\\" StateMachine=\\\\\\"');
    expect(body).toContain('Minutes without progress (running executions)');
    expect(body).toContain('\\"Neo4jEcsUpgrades\\",\\"MinutesWithoutProgress\\",\\"StateMachine\\"');
  });
});
