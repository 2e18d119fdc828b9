/**
 * A small state machine of the upgrade's shape for moto's Step Functions (which runs Pass, Wait, Choice
 * and `.waitForTaskToken` Lambda tasks): UpgradeStart's state, two UpgradeStage begin/done pairs, the
 * point of no return, an OperatorApproval task with request-approval's payload, a rollback path.
 */
export const LOCK = '/neo4j-upgrades/cli-test/lock';

export function upgradeMachineDefinition(functionArn: string): Record<string, unknown> {
  const stage = (n: number, key: string, title: string) => ({
    begin: { Type: 'Pass', ResultPath: '$.progress.current', Parameters: { key, name: `Stage ${n} ${title}`, seedStep: `000/${n}`, 'startedAt.$': '$$.State.EnteredTime' } },
    done: { Type: 'Pass', ResultPath: `$.progress.completed.${key}`, Parameters: { name: `Stage ${n} ${title}`, seedStep: `000/${n}`, 'startedAt.$': '$.progress.current.startedAt', 'endedAt.$': '$$.State.EnteredTime' } },
  });
  const one = stage(1, 'storeUpgrade', 'Upgrade the store');
  const two = stage(2, 'scaleOut', 'Scale out');
  return {
    StartAt: 'Read the request and the cluster settings',
    States: {
      'Read the request and the cluster settings': {
        Type: 'Pass',
        Parameters: {
          'request.$': '$', cluster: { stackName: 'cli-test' }, defaults: { cloneRegions: ['us-west-2'] },
          settings: { lockParameterName: LOCK }, progress: { pastPointOfNoReturn: false, completed: {} },
        },
        Next: 'Stage 1 Upgrade the store: begin',
      },
      'Stage 1 Upgrade the store: begin': { ...one.begin, Next: 'Point of no return' },
      'Point of no return': { Type: 'Pass', Result: true, ResultPath: '$.progress.pastPointOfNoReturn', Next: 'Wait for the operator decision' },
      'Wait for the operator decision': {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: functionArn,
          Payload: {
            'cluster.$': '$.cluster', 'taskToken.$': '$$.Task.Token', 'executionArn.$': '$$.Execution.Id', stage: 'after-store-upgrade',
            'parameterName.$': "States.Format('{}/approval', $.settings.lockParameterName)", timeoutSeconds: 3600,
          },
        },
        TimeoutSeconds: 3600,
        ResultPath: '$.results.storeUpgrade.decision',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Roll back' }],
        Next: 'Stage 1 Upgrade the store: done',
      },
      'Stage 1 Upgrade the store: done': { ...one.done, Next: 'Stage 2 Scale out: begin' },
      'Stage 2 Scale out: begin': { ...two.begin, Next: 'Stage 2 Scale out: wait for the instances' },
      'Stage 2 Scale out: wait for the instances': { Type: 'Wait', Seconds: 1, Next: 'Stage 2 Scale out: done' },
      'Stage 2 Scale out: done': { ...two.done, Next: 'Upgrade succeeded' },
      'Upgrade succeeded': { Type: 'Succeed' },
      'Roll back': { Type: 'Pass', Next: 'Rolled back' },
      'Rolled back': { Type: 'Fail', Error: 'UpgradeRolledBack', Cause: 'the upgrade was rolled back' },
    },
  };
}
