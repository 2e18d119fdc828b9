import { MapAbort, withMapAbort } from '../../tools/rehearsal/map-abort';
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

  test('withMapAbort (the shared executor): a success starts the attempts again, an error past the Retry refuses the Map\'s later tasks', async () => {
    let answer: 'busy' | 'done' | 'failed' = 'busy';
    const runs: string[] = [];
    const handlers = withMapAbort({
      'Group: image': async (input: unknown) => {
        runs.push(String(input));
        if (answer === 'done') return 'ok';
        const e = new Error(`answer: ${answer}`);
        e.name = answer === 'busy' ? 'StillInProgressError' : 'PreconditionFailedError';
        throw e;
      },
    }, new MapAbort(model));
    const image = handlers['Group: image'];
    // Two retried errors, a success (the next iteration), two more: still within MaxAttempts 2 each time.
    for (const item of ['1', '1']) await expect(image(item)).rejects.toThrow('answer: busy');
    answer = 'done';
    await expect(image('1')).resolves.toBe('ok');
    answer = 'busy';
    for (const item of ['2', '2']) await expect(image(item)).rejects.toThrow('answer: busy');
    answer = 'failed';
    await expect(image('2')).rejects.toThrow('answer: failed');
    await expect(image('3')).rejects.toThrow(/earlier iteration of its Map "Upgrade groups" failed/);
    expect(runs).toEqual(['1', '1', '1', '2', '2', '2']);
  });

  const undoing: AslDefinition = {
    StartAt: 'Replace',
    States: {
      Replace: {
        Type: 'Map',
        ItemProcessor: {
          StartAt: 'Enable',
          States: {
            Enable: { ...task('Drop'), Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Undo' }] },
            Drop: task(),
            Undo: task('Undone'),
            Undone: { Type: 'Fail' },
          },
        },
        End: true,
      },
    },
  };

  test('an error an in-iteration Catch takes: only that path (ending in a Fail) still runs; the next iteration is refused', () => {
    const abort = new MapAbort({ definition: undoing } as unknown as MachineModel);
    abort.noteError('Enable', '', 'TypeError');
    expect(() => abort.checkBefore('Undo')).not.toThrow();
    expect(() => abort.checkBefore('Enable')).toThrow(/earlier iteration of its Map "Replace" failed/);
    expect(() => abort.checkBefore('Drop')).toThrow(/would not run in AWS/);
  });

  test('a later iteration refused at its first task does not run its own undo path (its refusal is caught by the same Catch)', () => {
    const abort = new MapAbort({ definition: undoing } as unknown as MachineModel);
    abort.noteError('Enable', '', 'TypeError');
    expect(() => abort.checkBefore('Undo')).not.toThrow(); // the failing iteration's undo
    expect(() => abort.checkBefore('Enable')).toThrow(/would not run in AWS/); // the next iteration, queued by aws-local-stepfunctions
    abort.noteError('Enable', '', 'States.MapIterationAborted');
    expect(() => abort.checkBefore('Undo')).toThrow(/would not run in AWS/);
  });
});
