import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { statePath } from '../../private/state-document';
import { StageContext } from '../stage-context';
import { UpgradeHandler } from '../upgrade-handler';

/** What a {@link MigrationValidation} step does with the baseline. */
export class ValidationMode {
  /** Store counts, checksums and schema as the baseline later comparisons use. */
  public static readonly CAPTURE_BASELINE = new ValidationMode('capture-baseline', 'capture the validation baseline', 'baseline');
  /** Compare the database with the baseline; any difference fails with ValidationMismatchError. */
  public static readonly COMPARE = new ValidationMode('compare', 'compare with the baseline (seed 004)', 'compare');

  private constructor(
    /** The handler's `mode`. */
    public readonly value: string,
    /** How state names say it. */
    public readonly verb: string,
    /** Where the result goes under `$.validation`. */
    public readonly resultKey: string,
  ) {}
}

/** Props of {@link MigrationValidation}. */
export interface MigrationValidationProps {
  readonly context: StageContext;
  /** Prefix of the state names. */
  readonly title: string;
  readonly mode: ValidationMode;
  /**
   * Properties that identify a node, per label (seed 004's stable key).
   * @default - nodes are identified by their whole content
   */
  readonly keys?: { [label: string]: string[] };
}

/**
 * The seed 004 validator as a step: one pass, or a Map over key-range partitions (when
 * `$.settings.validationPartitions` > 1) whose partial checksums a final call combines. Skipped when
 * `$.settings.validateMigration` is false. The baseline lives where `$.settings.baselineParameterName` says.
 */
export class MigrationValidation extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: MigrationValidationProps) {
    super(scope, id);
    const { context: ctx, title, mode } = props;
    const common = { 'cluster.$': statePath('cluster'), 'baselineParameterName.$': statePath('settings.baselineParameterName') };
    // Keys shape the captures; a comparison uses the keys stored with its baseline.
    const keys = props.keys ? { keys: props.keys } : {};
    const captureKeys = mode === ValidationMode.CAPTURE_BASELINE ? keys : {};
    const resultPath = `$.validation.${mode.resultKey}`;
    const single = ctx.step(this, `${title}: ${mode.verb}`, UpgradeHandler.VALIDATE_MIGRATION, { ...common, mode: mode.value, ...captureKeys }, { resultPath });
    const partitions = new sfn.Map(this, `${title}: ${mode.verb} by partition`, {
      itemsPath: sfn.JsonPath.stringAt(statePath('validation.partitionIndexes.indexes')),
      itemSelector: {
        'cluster.$': statePath('cluster'),
        partition: { 'index.$': '$$.Map.Item.Value', 'count.$': statePath('settings.validationPartitions') },
      },
      maxConcurrency: 8,
      // Only each partition's snapshot stays in the state (not the cluster and the partition each item echoes).
      resultSelector: { 'snapshots.$': '$[*].result.Payload.snapshot' },
      resultPath: statePath('validation.partials'),
    });
    partitions.itemProcessor(ctx.failingTo(new sfn.Fail(this, `${title}: partition failed`, { errorPath: '$.Error', causePath: '$.Cause' }))
      .step(this, `${title}: checksum one partition`, UpgradeHandler.VALIDATE_MIGRATION, {
        'cluster.$': statePath('cluster'), mode: 'capture-partition', 'partition.$': '$.partition', ...keys,
      }, { resultPath: '$.result', noCatch: true }));
    ctx.catchMap(partitions);
    const indexes = new sfn.Pass(this, `${title}: list the partitions`, {
      parameters: { 'indexes.$': 'States.ArrayRange(0, States.MathAdd($.settings.validationPartitions, -1), 1)' },
      resultPath: statePath('validation.partitionIndexes'),
    });
    const combined = ctx.step(this, `${title}: ${mode.verb} from partitions`, UpgradeHandler.VALIDATE_MIGRATION, {
      ...common, mode: mode.value, 'partials.$': statePath('validation.partials.snapshots'),
    }, { resultPath });
    // Combined: the partial snapshots leave the state, so later states do not carry them.
    const dropPartials = new sfn.Pass(this, `${title}: partial results combined`, {
      result: sfn.Result.fromObject({}), resultPath: statePath('validation.partials'),
    });
    const skip = new sfn.Pass(this, `${title}: validation disabled`);
    const choice = new sfn.Choice(this, `${title}: validate the migration?`)
      .when(sfn.Condition.booleanEquals(statePath('settings.validateMigration'), false), skip)
      .when(sfn.Condition.numberGreaterThan(statePath('settings.validationPartitions'), 1), sfn.Chain.start(indexes).next(partitions).next(combined).next(dropPartials))
      .otherwise(single);
    const after = choice.afterwards();
    this.startState = choice;
    this.endStates = after.endStates;
  }
}
