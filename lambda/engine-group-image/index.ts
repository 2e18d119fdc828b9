import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { EngineFleetContext } from '../shared/engine-fleet-context';
import { engineServiceActions } from '../shared/engine-node-services';
import { lambdaHandler } from '../shared/handler';
import { EngineGroupImageInput, logic } from './logic';

const ecs = new ECSClient({});
export const handler = lambdaHandler('engine-group-image', (log) => ({ ssm: new SSMClient({}), now: () => new Date(), log }),
  (deps, input: EngineGroupImageInput) => logic({ ...deps, actions: engineServiceActions(ecs, input?.cluster as EngineFleetContext) }, input));
