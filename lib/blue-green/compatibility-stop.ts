import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { Neo4jUpgradesValidationError } from '../errors';
import { statePath } from '../private/state-document';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { CompatibilityQuery } from './compatibility-query';

/** Props of {@link CompatibilityStop}. */
export interface CompatibilityStopProps {
  readonly context: StageContext;
  /** Stage key: the result (passed count, notifications) goes to `$.results.<key>.compatibility`. */
  readonly key: string;
  /** Prefix of the state name. */
  readonly title: string;
  /** Green's own Bolt URI (its nodes, not the client endpoint, which still serves blue). */
  readonly greenBoltUri: string;
  /** The application's queries and the rows each must return on green. */
  readonly queries: CompatibilityQuery[];
}

/**
 * The compatibility stop before a traffic switch: the application's queries run against green, and any
 * error or difference from the expected rows fails with `CompatibilityMismatchError` (naming the query
 * and the first difference) into the context's failure path, before the switch. The server's
 * notifications for the queries (deprecated Cypher above all) are reported in the result.
 */
export class CompatibilityStop extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: CompatibilityStopProps) {
    super(scope, id);
    this.validate(props);
    const check = props.context.step(this, `${props.title}: compatibility queries on green`, UpgradeHandler.COMPATIBILITY_CHECK, {
      'cluster.$': statePath('cluster'),
      greenBoltUri: props.greenBoltUri,
      queries: props.queries.map((q) => ({ name: q.name, cypher: q.cypher, expectedRows: q.expectedRows })),
    }, { resultPath: `$.results.${props.key}.compatibility` });
    this.startState = check;
    this.endStates = [check];
  }

  private validate(props: CompatibilityStopProps): void {
    if (props.queries.length === 0) throw new Neo4jUpgradesValidationError('queries', '[]', 'must hold at least one compatibility query');
    const names = props.queries.map((q) => q.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) throw new Neo4jUpgradesValidationError('queries', twice, 'names a query twice: each name must be unique');
    const empty = props.queries.find((q) => q.name.trim() === '' || q.cypher.trim() === '');
    if (empty) throw new Neo4jUpgradesValidationError('queries', JSON.stringify(empty.name), 'each query needs a name and Cypher');
  }
}
