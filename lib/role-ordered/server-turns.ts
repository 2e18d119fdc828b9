import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { statePath } from '../private/state-document';
import { ProcedurePolling } from '../toolkit/procedure-polling';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';

/** Props of {@link ServerTurns}. */
export interface ServerTurnsProps {
  readonly context: StageContext;
  readonly polling: ProcedurePolling;
}

/**
 * Every server of the plan (`$.plan.servers`, in role order) one at a time (a Map with MaxConcurrency 1):
 * maintenance on before the first server of the role under maintenance, stop, one auto-upgrade run, start on
 * the new image, the role's gate, maintenance off after that role's last server. Any failure leaves the Map
 * for the context's failure handler.
 */
export class ServerTurns extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: ServerTurnsProps) {
    super(scope, id);
    const ctx = props.context;
    const server = { 'cluster.$': '$.cluster', 'server.$': '$.server', 'toImage.$': '$.toImage', 'executionArn.$': '$.executionArn', 'ledgerPrefix.$': '$.ledgerPrefix' };
    const action = (name: string, verb: string) => ctx.step(this, name, UpgradeHandler.ARANGO_SERVER_ACTION, { ...server, action: verb },
      { resultPath: sfn.JsonPath.DISCARD, poll: props.polling.services, noCatch: true });
    const maintenance = (name: string, mode: 'on' | 'off') => ctx.step(this, name, UpgradeHandler.ARANGO_MAINTENANCE, {
      'cluster.$': '$.cluster', mode, ...(mode === 'on' && { 'seconds.$': '$.maintenanceSeconds' }),
    }, { resultPath: sfn.JsonPath.DISCARD, poll: props.polling.gate, pollAlsoOn: ['MaintenanceUnavailableError'], noCatch: true });

    const stop = action('Server: stop it', 'stop');
    const upgradeRun = action('Server: run the new version once with auto-upgrade', 'auto-upgrade');
    const start = action('Server: start it on the new image', 'start');
    const gate = ctx.step(this, 'Server: the role gate passes', UpgradeHandler.ARANGO_ROLE_GATE, {
      'cluster.$': '$.cluster', 'server.$': '$.server', 'toVersion.$': '$.toVersion',
    }, { resultPath: sfn.JsonPath.DISCARD, poll: props.polling.gate, pollAlsoOn: ['HealthGateError'], noCatch: true });
    const turnDone = new sfn.Pass(this, 'Server: upgraded');
    const off = maintenance('Server: supervision maintenance off after the role', 'off');
    off.next(turnDone);
    const afterGate = new sfn.Choice(this, 'Server: last of the role under maintenance?')
      .when(sfn.Condition.booleanEquals('$.server.maintenanceOffAfter', true), off)
      .otherwise(turnDone);
    stop.next(upgradeRun).next(start).next(gate).next(afterGate);
    const on = maintenance('Server: supervision maintenance on, with an expiry', 'on');
    on.next(stop);
    const first = new sfn.Choice(this, 'Server: first of the role under maintenance?')
      .when(sfn.Condition.booleanEquals('$.server.maintenanceOnBefore', true), on)
      .otherwise(stop);

    const map = new sfn.Map(this, 'Servers in role order, one at a time', {
      itemsPath: '$.plan.servers',
      maxConcurrency: 1,
      itemSelector: {
        'server.$': '$$.Map.Item.Value', 'cluster.$': statePath('cluster'), 'toImage.$': '$.plan.toImage', 'toVersion.$': '$.plan.toVersion',
        'maintenanceSeconds.$': '$.plan.maintenanceSeconds', 'executionArn.$': '$$.Execution.Id', 'ledgerPrefix.$': statePath('settings.lockParameterName'),
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    map.itemProcessor(first);
    ctx.catchMap(map);
    this.startState = map;
    this.endStates = [map];
  }
}
