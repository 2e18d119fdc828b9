import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { statePath } from '../../private/state-document';
import { CypherMigration } from '../../upgrade/cypher-migration';
import { ProcedurePolling } from '../procedure-polling';
import { StageContext } from '../stage-context';
import { UpgradeHandler } from '../upgrade-handler';

/** Props of {@link CypherMigrations}. */
export interface CypherMigrationsProps {
  readonly context: StageContext;
  readonly polling: ProcedurePolling;
  /** Stage key: each call's result goes to `$.results.<key>.migrations`. */
  readonly key: string;
  /** The statements, applied in order. */
  readonly migrations: CypherMigration[];
}

/**
 * Applies the Cypher migrations one per Lambda invocation until every one is recorded in the database
 * (a recorded id is skipped, so retries and redrives never apply one twice).
 */
export class CypherMigrations extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: CypherMigrationsProps) {
    super(scope, id);
    const resultPath = `$.results.${props.key}.migrations`;
    const run = props.context.step(this, 'Run the next Cypher migration', UpgradeHandler.RUN_MIGRATIONS, {
      'cluster.$': statePath('cluster'), 'executionId.$': '$$.Execution.Name',
      migrations: props.migrations.map((m) => ({ id: m.id, cypher: m.cypher })),
    }, { resultPath, poll: props.polling.gate, pollAlsoOn: ['HealthGateError'] });
    const applied = new sfn.Pass(this, 'Every migration applied');
    const loop = new sfn.Choice(this, 'Every migration applied?')
      .when(sfn.Condition.booleanEquals(`${resultPath}.Payload.done`, true), applied)
      .otherwise(run);
    run.next(loop);
    this.startState = run;
    this.endStates = [applied];
  }
}
