/**
 * The schema step's ECS task, played: moto's ECS runs no container and gives no exit code, so when a handler
 * runs the schema task definition, the harness runs what that task runs (upgradeSchema with PsqlDatabase,
 * the new engine's upgrade scripts from its jar) against the real PostgreSQL, stops the moto task, and
 * answers DescribeTasks of it as STOPPED with the program's exit code (main.ts: 0 applied, 1 failed).
 */
import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { SchemaUpgradeOutput, upgradeSchema } from '../../../lambda/camunda-schema-upgrade/logic';
import { SchemaDatabase } from '../../../lambda/camunda-schema-upgrade/schema-database';
import { CallHooks, CallInfo, ClientSet } from '../aws-clients';
import { CAMUNDA_ECS_CLUSTER } from '../apps/camunda-fleet-app';
import { SCHEMA_TASK_DEFINITION } from './fleet-world';

export interface SchemaRun {
  readonly taskArn: string;
  readonly targetVersion: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly exitCode: number;
  readonly result?: SchemaUpgradeOutput;
  readonly error?: string;
}

export class SchemaTaskSeam {
  public readonly runs: SchemaRun[] = [];
  /** World fault: the next run applies its step, then the task exits 1 (it died after the commit). */
  public failNextAfterApply = false;

  constructor(private readonly harness: ClientSet, private readonly db: () => SchemaDatabase, private readonly scriptsDir: string) {}

  /** The rewrite hook for a handler's clients. */
  public readonly hooks: Pick<CallHooks, 'rewrite'> = {
    rewrite: async (call: CallInfo, output: Record<string, unknown>) => {
      if (call.service !== 'ECS') return output;
      if (call.operation === 'RunTask' && String(call.input.taskDefinition ?? '').startsWith(SCHEMA_TASK_DEFINITION)) await this.run(call, output);
      if (call.operation === 'DescribeTasks') return this.describe(output);
      return output;
    },
  };

  private async run(call: CallInfo, output: Record<string, unknown>): Promise<void> {
    const taskArn = String((output.tasks as Array<{ taskArn?: string }> | undefined)?.[0]?.taskArn ?? '');
    const overrides = call.input.overrides as { containerOverrides?: Array<{ environment?: Array<{ name?: string; value?: string }> }> } | undefined;
    const env = Object.fromEntries((overrides?.containerOverrides?.[0]?.environment ?? []).map((e) => [e.name, e.value]));
    const targetVersion = String(env.CAMUNDA_TARGET_VERSION ?? '');
    const startedAt = Date.now();
    let run: SchemaRun;
    try {
      const result = await upgradeSchema({ db: this.db(), log: () => undefined }, {
        targetVersion, databaseType: String(env.CAMUNDA_DATABASE_TYPE ?? 'postgres'), scriptsDir: this.scriptsDir,
      });
      const failAfterApply = this.failNextAfterApply;
      this.failNextAfterApply = false;
      run = { taskArn, targetVersion, startedAt, endedAt: Date.now(), exitCode: failAfterApply ? 1 : 0, result, ...(failAfterApply && { error: 'rehearsal world fault: the task exited 1 after its step was applied' }) };
    } catch (e) {
      run = { taskArn, targetVersion, startedAt, endedAt: Date.now(), exitCode: 1, error: (e as Error).message };
    }
    this.runs.push(run);
    await this.harness.ecs.send(new StopTaskCommand({ cluster: CAMUNDA_ECS_CLUSTER, task: taskArn, reason: `Essential container in task exited (${run.exitCode})` }));
  }

  private describe(output: Record<string, unknown>): Record<string, unknown> {
    const tasks = (output.tasks as Array<Record<string, unknown>> | undefined) ?? [];
    return {
      ...output,
      tasks: tasks.map((t) => {
        const run = this.runs.find((r) => r.taskArn === t.taskArn);
        return run ? { ...t, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', containers: [{ name: 'schema', exitCode: run.exitCode }] } : t;
      }),
    };
  }
}
