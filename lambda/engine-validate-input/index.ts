import { ECSClient } from '@aws-sdk/client-ecs';
import { EngineFleetContext } from '../shared/engine-fleet-context';
import { engineServiceActions } from '../shared/engine-node-services';
import { lambdaHandler } from '../shared/handler';
import { EngineValidateInputInput, logic } from './logic';

const ecs = new ECSClient({});
export const handler = lambdaHandler('engine-validate-input', (log) => ({ log }),
  (deps, input: EngineValidateInputInput) => logic({ ...deps, actions: engineServiceActions(ecs, input?.cluster as EngineFleetContext) }, input));
