import { Template } from 'aws-cdk-lib/assertions';
import { ApprovalMode, CypherMigration } from '../../lib';
import { Neo4jUpgradesValidationError } from '../../lib/errors';
import { cfnLintErrors } from '../support/cfn-lint';
import { upgradeStack } from '../support/example-upgrade';
import { unacknowledgedNagFindings } from '../support/nag';
import { resolvedDefinition } from '../support/state-machine-definition';

// asl-validator has no types of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator');

const MIGRATIONS: CypherMigration[] = [
  { id: '001-person-name', cypher: 'CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)' },
  { id: '002-flag', cypher: 'MATCH (p:Person) SET p.migrated = true' },
];

function statesOf(props: Parameters<typeof upgradeStack>[0]) {
  const built = upgradeStack(props);
  const template = Template.fromStack(built.stack);
  const { definition } = resolvedDefinition(template.toJSON());
  return { ...built, template, definition, states: definition.States as Record<string, any> };
}

describe('Neo4jStagedUpgrade with Cypher migrations (seed 000 step 3 as code)', () => {
  const { app, stack, template, definition, states, upgrade } = statesOf({ migrations: MIGRATIONS, approvalMode: undefined });

  test('the definition passes asl-validator', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
  });

  test('stage 3 compares the upgraded store, loops over the migrations, then captures a new baseline', () => {
    const begin = states['Stage 3 Manual migrations: begin'];
    expect(begin.Next).toBe('Stage 3 Store upgraded: validate the migration?');
    expect(states['Stage 3 Store upgraded: compare with the baseline (seed 004)'].Next).toBe('Run the next Cypher migration');
    const run = states['Run the next Cypher migration'];
    expect(run.Parameters.Payload).toEqual({
      'cluster.$': '$.cluster', 'executionId.$': '$$.Execution.Name', migrations: MIGRATIONS,
    });
    expect(run.Next).toBe('Every migration applied?');
    expect(run.Catch[0].Next).toBe('Rollback: past the point of no return?');
    expect(JSON.stringify(run.Retry)).toContain('HealthGateError');
    const loop = states['Every migration applied?'];
    expect(loop.Choices).toEqual([{ Variable: '$.results.manualMigrations.migrations.Payload.done', BooleanEquals: true, Next: 'Every migration applied' }]);
    expect(states['Every migration applied'].Next).toBe('Later comparisons use the post-migration baseline');
    expect(loop.Default).toBe('Run the next Cypher migration');
    expect(states['Later comparisons use the post-migration baseline']).toMatchObject({
      Result: `${upgrade.lockParameterName}/baseline-after-migrations`, ResultPath: '$.settings.baselineParameterName',
    });
    expect(states['Stage 3 Migrations applied: capture the validation baseline'].Next).toBe('Approval requested?');
    expect(states['Stage 7 Scale out: compare with the baseline (seed 004)'].Parameters.Payload['baselineParameterName.$']).toBe('$.settings.baselineParameterName');
  });

  test('the migrations replace the pause by default', () => {
    expect(states['Read the request and the cluster settings'].Parameters.defaults.approvalMode).toBe('none');
    const explicit = statesOf({ migrations: MIGRATIONS, approvalMode: ApprovalMode.AFTER_STORE_UPGRADE });
    expect(explicit.states['Read the request and the cluster settings'].Parameters.defaults.approvalMode).toBe('after-store-upgrade');
  });

  test('the migration function runs in the VPC, reads only the credentials secret, and the validator may write the second baseline', () => {
    const fn = upgrade.functions['run-migrations'];
    expect(fn).toBeDefined();
    const resource = template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as any)];
    expect(resource.Properties.VpcConfig).toBeDefined();
    expect(resource.Properties.Timeout).toBe(900);
    const policies = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(stack.getLogicalId((fn.role as any).node.defaultChild)));
    const actions = policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: any) => [].concat(s.Action)));
    expect(actions.filter((a: string) => !a.startsWith('ec2:') && !a.startsWith('logs:'))).toEqual(
      expect.arrayContaining(['secretsmanager:GetSecretValue']));
    expect(actions.some((a: string) => /^(ssm|cloudformation|autoscaling):/.test(a))).toBe(false);
    expect(JSON.stringify(template.toJSON())).toContain('baseline-after-migrations');
  });

  test('cdk-nag stays clean and cfn-lint reports no errors', () => {
    expect(unacknowledgedNagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
    expect(cfnLintErrors(app.synth().getStackByName('Upgrade').template)).toEqual([]);
  });
});

describe('without migrations', () => {
  test('there is no migration function and stage 3 is the pause alone', () => {
    const { states, upgrade } = statesOf({});
    expect(upgrade.functions['run-migrations']).toBeUndefined();
    expect(states['Stage 3 Manual migrations: begin'].Next).toBe('Approval requested?');
    expect(Object.keys(states).filter((n) => /migration applied|Cypher/.test(n))).toEqual([]);
  });
});

describe('migrations props', () => {
  test.each([
    [[{ id: 'add index', cypher: 'RETURN 1' }], 'migrations[0].id', '"add index"'],
    [[{ id: 'a', cypher: 'RETURN 1' }, { id: 'a', cypher: 'RETURN 2' }], 'migrations[1].id', '"a"'],
    [[{ id: 'a', cypher: '  ' }], 'migrations[0].cypher', '"  "'],
    // Measured as the task input carries them: JSON, so each '"' counts twice.
    [[{ id: 'big', cypher: 'RETURN "' + 'x'.repeat(140_000) + '"' }], 'migrations', '140037 bytes as JSON'],
    [[{ id: 'quotes', cypher: 'RETURN ' + '"'.repeat(50_000) }], 'migrations', '100036 bytes as JSON'],
    [Array.from({ length: 101 }, (_, i) => ({ id: `m${i}`, cypher: 'RETURN 1' })), 'migrations', '101 migrations'],
  ])('%#: refused naming %s and the value', (migrations, prop, value) => {
    let error: unknown;
    try {
      upgradeStack({ migrations });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Neo4jUpgradesValidationError);
    expect(error).toMatchObject({ prop, value });
  });

  test('100 migrations of 96 KiB as JSON in all are accepted', () => {
    const migrations = Array.from({ length: 100 }, (_, i) => ({ id: `m${String(i).padStart(3, '0')}`, cypher: `RETURN '${'x'.repeat(945)}'` }));
    expect(() => upgradeStack({ migrations })).not.toThrow();
  });
});
