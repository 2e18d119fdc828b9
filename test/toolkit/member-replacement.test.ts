import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  GateMembers, MemberReplacement, MembershipModel, Neo4jTaskContext, Neo4jVersionFamily, Preflight, ProcedurePolling, StageContext,
  UpgradeFinish, UpgradeHandlers, UpgradeRollback, UpgradeStart, UpgradeStateMachine,
} from '../../lib';
import { unacknowledgedNagFindings } from '../support/nag';
import { perServerCluster } from '../support/per-server-cluster';
import { resolvedDefinition } from '../support/state-machine-definition';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator');

/** A procedure of the exported blocks around MemberReplacement, on the example per-server cluster. */
function replacementApp(app: App, family = Neo4jVersionFamily.V5, image = 'neo4j:5.26.25-enterprise'): Stack {
  const stack = new Stack(app, 'Replacement', { env: { account: '123456789012', region: 'us-east-1' } });
  const cluster = perServerCluster(stack, image, family);
  const lockParameterName = '/neo4j-upgrades/test/replacement-lock';
  const notificationTopic = new sns.Topic(stack, 'Notifications', { masterKey: kms.Alias.fromAliasName(stack, 'SnsKey', 'alias/aws/sns'), enforceSSL: true });
  const handlers = new UpgradeHandlers(stack, 'Handlers', { target: cluster, lockParameterName, notificationTopic });
  const polling = new ProcedurePolling();
  const context = new StageContext(new UpgradeRollback(stack, 'Rollback', { handlers, polling }), handlers);
  const definition = sfn.Chain
    .start(new UpgradeStart(stack, 'Start', { target: Neo4jTaskContext.of(cluster, 'neo4j://neo4j.internal:7687'), lockParameterName, notificationTopic }))
    .next(new Preflight(stack, 'Preflight', { handlers, polling }))
    .next(new MemberReplacement(stack, 'Replace', {
      context, polling, key: 'replace', title: 'Replace', replacementsPath: '$.request.replacements',
      expectedMembers: GateMembers.exactly(3), membership: MembershipModel.of(family),
      // Where the procedure retires the old slot (not built): a placeholder state of this test app.
      retireOldMember: { stepsIn: (scope) => [new sfn.Pass(scope, 'Replace: retire the old slot (test placeholder)')] },
    }))
    .next(new UpgradeFinish(stack, 'Finish', { context, polling }));
  new UpgradeStateMachine(stack, 'Procedure', { definition, comment: 'member replacement', handlers });
  return stack;
}

describe('MemberReplacement (toolkit block)', () => {
  const app = new App();
  const stack = replacementApp(app);
  // One synthesis: the nag run's assembly is the template read below.
  const nagFindings = unacknowledgedNagFindings(app);
  const template = Template.fromJSON(app.synth().getStackArtifact(stack.artifactId).template);
  const { definition } = resolvedDefinition(template.toJSON());
  const map = definition.States['Replace: one replacement at a time'];
  const inner = map.ItemProcessor.States;

  test('a valid JSONPath definition: one replacement at a time, any failure into the rollback', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
    expect(map).toMatchObject({ Type: 'Map', MaxConcurrency: 1, ItemsPath: '$.request.replacements', ResultPath: '$.results.replace.replacements' });
    expect(map.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], ResultPath: '$.error' })]);
    expect(definition.States[map.Catch[0].Next]).toBeDefined();
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
  });

  test('per replacement: enable, wait hosting, deallocate, wait drained, drop, the procedure retirement steps, then the cluster gate; every wait polled within a budget', () => {
    const order: string[] = [];
    for (let name: string | undefined = map.ItemProcessor.StartAt; name; name = inner[name].Next) order.push(name);
    expect(order).toEqual([
      'Replace: enable the new member', 'Replace: wait until the new member hosts its databases', 'Replace: deallocate the old member',
      'Replace: wait until the old member is drained', 'Replace: drop the old member', 'Replace: retire the old slot (test placeholder)',
      'Replace: cluster gate after the replacement',
    ]);
    const payloads = order.slice(0, 5).map((n) => inner[n].Parameters.Payload);
    expect(payloads.map((p) => [p.action, p['serverAddress.$'], p['replacementAddress.$']])).toEqual([
      ['enable-server', '$.replacement.newServerAddress', undefined],
      ['wait-hosting', '$.replacement.newServerAddress', undefined],
      ['deallocate', '$.replacement.oldServerAddress', '$.replacement.newServerAddress'],
      ['wait-drained', '$.replacement.oldServerAddress', undefined],
      ['drop-server', '$.replacement.oldServerAddress', undefined],
    ]);
    for (const name of order.slice(0, 5)) {
      const poll = inner[name].Retry.find((r: any) => r.ErrorEquals.includes('StillInProgressError'));
      expect(poll.ErrorEquals).toEqual(['StillInProgressError', 'HealthGateError']);
      expect(poll.MaxAttempts).toBeGreaterThan(1);
      expect(inner[name].Parameters.Payload.poll).toEqual({ everySeconds: 1, withinSeconds: 240 });
    }
    expect(inner['Replace: cluster gate after the replacement'].Parameters.Payload).toMatchObject({ 'acceptedPreviousVersion.$': '$.plan.fromVersion', expectedMembers: 3 });
  });

  test('the membership function runs in the cluster VPC and may only read the credentials secret', () => {
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Description: 'cdk-neo4j-ecs-upgrades: cluster-membership' } });
    expect(Object.keys(functions)).toHaveLength(1);
    const [fn] = Object.values<any>(functions);
    expect(fn.Properties.VpcConfig).toBeDefined();
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleId));
    const actions = policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()));
    expect(actions.filter((a: string) => !a.startsWith('ec2:') && !a.startsWith('xray:')).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
  });

  test('passes cdk-nag AwsSolutions with every acknowledgement reasoned', () => {
    expect(nagFindings).toEqual([]);
  });
});

describe('MemberReplacement with MembershipModel.CORE_DISCOVERY (Neo4j 4.4)', () => {
  const app = new App();
  const stack = replacementApp(app, Neo4jVersionFamily.V4_4_CAUSAL, 'neo4j:4.4.40-enterprise');
  const { definition } = resolvedDefinition(Template.fromStack(stack).toJSON());
  const map = definition.States['Replace: one replacement at a time'];
  const inner = map.ItemProcessor.States;

  test('per replacement: the new core joined, the procedure retirement steps, the old core gone, then the cluster gate; both waits polled', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
    const order: string[] = [];
    for (let name: string | undefined = map.ItemProcessor.StartAt; name; name = inner[name].Next) order.push(name);
    expect(order).toEqual([
      'Replace: wait until the new member has joined', 'Replace: retire the old slot (test placeholder)',
      'Replace: wait until the old member has left', 'Replace: cluster gate after the replacement',
    ]);
    for (const [name, action, server] of [
      ['Replace: wait until the new member has joined', 'wait-joined', '$.replacement.newServerAddress'],
      ['Replace: wait until the old member has left', 'wait-left', '$.replacement.oldServerAddress'],
    ]) {
      expect(inner[name].Parameters.Payload).toMatchObject({ action, 'serverAddress.$': server });
      expect(inner[name].Retry.find((r: any) => r.ErrorEquals.includes('StillInProgressError')).ErrorEquals).toEqual(['StillInProgressError', 'HealthGateError']);
    }
  });
});
