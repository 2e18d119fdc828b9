import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Props of {@link UpgradeStage}. */
export interface UpgradeStageProps {
  /** Key of the stage in the state (`$.progress.completed.<key>`), e.g. `rollImage`. */
  readonly key: string;
  /** Title shown in the console graph, e.g. `Stage 1 Roll DockerImage`. */
  readonly title: string;
  /** The seed step it performs, e.g. `000/1`. */
  readonly seedStep: string;
  /** Builds the stage's states, in order, inside the fragment. */
  readonly steps: IStageSteps;
}

/** Builds the states of one stage. */
export interface IStageSteps {
  /** The stage's states, in order, created in `scope` (the stage fragment). */
  stepsIn(scope: Construct): sfn.IChainable[];
}

/**
 * One stage of a procedure: records when it starts (`$.progress.current`, which the rollback reports),
 * runs its steps, and records its timing under `$.progress.completed.<key>`.
 */
export class UpgradeStage extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];
  /** Key of the stage in the state (`$.progress.current.key` while it runs). */
  public readonly key: string;

  constructor(scope: Construct, id: string, props: UpgradeStageProps) {
    super(scope, id);
    this.key = props.key;
    const begin = new sfn.Pass(this, `${props.title}: begin`, {
      parameters: {
        key: props.key,
        name: props.title,
        seedStep: props.seedStep,
        'startedAt.$': '$$.State.EnteredTime',
      },
      resultPath: '$.progress.current',
    });
    const end = new sfn.Pass(this, `${props.title}: done`, {
      parameters: {
        name: props.title,
        seedStep: props.seedStep,
        'startedAt.$': '$.progress.current.startedAt',
        'endedAt.$': '$$.State.EnteredTime',
      },
      resultPath: `$.progress.completed.${props.key}`,
    });
    let chain: sfn.Chain = sfn.Chain.start(begin);
    for (const state of props.steps.stepsIn(this)) chain = chain.next(state);
    chain.next(end);
    this.startState = begin;
    this.endStates = [end];
  }
}
