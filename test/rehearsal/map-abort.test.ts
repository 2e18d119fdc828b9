import { MapAbort } from '../../tools/rehearsal/arango/map-abort';
import { AslDefinition, MachineModel } from '../../tools/rehearsal/definition';

const task = (next?: string) => ({ Type: 'Task', ...(next ? { Next: next } : { End: true }), Retry: [{ ErrorEquals: ['StillInProgressError'], MaxAttempts: 2 }] });
const definition: AslDefinition = {
  StartAt: 'Upgrade groups',
  States: {
    'Upgrade groups': { Type: 'Map', ItemProcessor: { StartAt: 'Group: image', States: { 'Group: image': task() } }, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Rollback groups' }], Next: 'Done' },
    'Rollback groups': { Type: 'Map', ItemProcessor: { StartAt: 'Rollback group: image', States: { 'Rollback group: image': task() } }, End: true },
    Done: { Type: 'Succeed' },
  },
};
const model = { definition } as unknown as MachineModel;

describe('MapAbort (the local executor keeps running a failed Map\'s queued iterations)', () => {
  test('after an iteration fails, that Map\'s later tasks are refused and another Map\'s run', () => {
    const abort = new MapAbort(model);
    abort.checkBefore('Group: image');
    abort.noteError('Group: image', 'group-1', 'PreconditionFailedError');
    expect(() => abort.checkBefore('Group: image')).toThrow(/earlier iteration of its Map "Upgrade groups" failed/);
    expect(() => abort.checkBefore('Rollback group: image')).not.toThrow();
    expect(() => abort.checkBefore('Done')).not.toThrow();
  });

  test('an error its Retry still takes does not fail the Map; one past MaxAttempts does', () => {
    const abort = new MapAbort(model);
    abort.noteError('Group: image', 'group-1', 'StillInProgressError');
    abort.noteError('Group: image', 'group-1', 'StillInProgressError');
    expect(() => abort.checkBefore('Group: image')).not.toThrow();
    abort.noteError('Group: image', 'group-1', 'StillInProgressError');
    expect(() => abort.checkBefore('Group: image')).toThrow(/would not run in AWS/);
  });
});
