import { CreateTagsCommand, Volume } from '@aws-sdk/client-ec2';
import 'aws-sdk-client-mock-jest';
import { RetagVolumesInput, logic } from '../../lambda/retag-volumes/logic';
import { TAG_KEYS } from '../../lambda/shared/context';
import { CLUSTER, EXECUTION_ID, answerVolumesFrom, awsError, dataVolume, mockAws, tags } from './fixtures/volume-cluster';

const aws = mockAws();
const run = (extra: Partial<RetagVolumesInput> = {}) =>
  logic(aws.deps, { cluster: CLUSTER, executionId: EXECUTION_ID, masterVolumeId: 'vol-a', ...extra });

function volumesTable(volumes: Volume[]) {
  answerVolumesFrom(aws.ec2Mock, () => volumes);
}

const A = dataVolume('vol-a', 'us-east-1a', { State: 'in-use', Attachments: [{ InstanceId: 'i-0000000a', State: 'attached' }] });
const B = dataVolume('vol-b', 'us-east-1b', { State: 'in-use', Attachments: [{ InstanceId: 'i-0000000b', State: 'attached' }] });
const C = dataVolume('vol-c', 'us-east-1c');

beforeEach(() => {
  aws.ec2Mock.reset();
  volumesTable([C, A, B]);
  aws.ec2Mock.on(CreateTagsCommand).resolves({});
});

describe('retag-volumes', () => {
  test('renames every data volume but the master\'s to <name>-old, tagging previous name and execution', async () => {
    const out = await run();
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateTagsCommand, 1);
    expect(aws.ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ['vol-b', 'vol-c'],
      Tags: tags({
        Name: 'neo4j-prod-data-old',
        Environment: 'production',
        [TAG_KEYS.previousName]: 'neo4j-prod-data',
        [TAG_KEYS.renamedBy]: EXECUTION_ID,
      }),
    });
    expect(out).toEqual({
      keptVolumeId: 'vol-a',
      newName: 'neo4j-prod-data-old',
      renamed: [
        { volumeId: 'vol-b', availabilityZone: 'us-east-1b', previousName: 'neo4j-prod-data', newName: 'neo4j-prod-data-old', attachedInstanceId: 'i-0000000b', alreadyRenamed: false },
        { volumeId: 'vol-c', availabilityZone: 'us-east-1c', previousName: 'neo4j-prod-data', newName: 'neo4j-prod-data-old', attachedInstanceId: null, alreadyRenamed: false },
      ],
    });
  });

  test('a configurable suffix', async () => {
    const out = await run({ suffix: '-pre-5.26' });
    expect(out.newName).toBe('neo4j-prod-data-pre-5.26');
    expect(aws.ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, { Tags: expect.arrayContaining([{ Key: 'Name', Value: 'neo4j-prod-data-pre-5.26' }]) });
  });

  test('a rerun renames nothing more and reports the volumes renamed before, once each', async () => {
    const renamedTags = { Name: 'neo4j-prod-data-old', [TAG_KEYS.previousName]: 'neo4j-prod-data', [TAG_KEYS.renamedBy]: EXECUTION_ID };
    volumesTable([A, { ...B, Tags: tags({ Environment: 'production', ...renamedTags }) }, { ...C, Tags: tags({ Environment: 'production', ...renamedTags }) }]);
    const out = await run();
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateTagsCommand, 0);
    expect(out.renamed.map((r) => [r.volumeId, r.alreadyRenamed])).toEqual([['vol-b', true], ['vol-c', true]]);
  });

  test('a partial earlier run: renames the rest and reports both', async () => {
    const renamedTags = { Name: 'neo4j-prod-data-old', Environment: 'production', [TAG_KEYS.previousName]: 'neo4j-prod-data', [TAG_KEYS.renamedBy]: EXECUTION_ID };
    volumesTable([A, { ...B, Tags: tags(renamedTags) }, C]);
    const out = await run();
    expect(aws.ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, { Resources: ['vol-c'] });
    expect(out.renamed.map((r) => [r.volumeId, r.alreadyRenamed])).toEqual([['vol-b', true], ['vol-c', false]]);
  });

  test('the master alone: nothing to rename', async () => {
    volumesTable([A]);
    await expect(run()).resolves.toEqual({ keptVolumeId: 'vol-a', newName: 'neo4j-prod-data-old', renamed: [] });
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateTagsCommand, 0);
  });

  test.each([
    ['missing', undefined, /masterVolumeId is missing/],
    ['empty', '', /masterVolumeId is missing/],
    ['not a data volume of the cluster', 'vol-zzz', /vol-zzz is not one of the cluster's data volumes.*vol-a, vol-b, vol-c/],
  ])('a master volume id that is %s is PreconditionFailedError, nothing renamed', async (_what, masterVolumeId, message) => {
    await expect(run({ masterVolumeId: masterVolumeId as string })).rejects.toMatchObject({ name: 'PreconditionFailedError', message: expect.stringMatching(message) });
    expect(aws.ec2Mock).toHaveReceivedCommandTimes(CreateTagsCommand, 0);
  });

  test.each([
    [{ suffix: '' }, /suffix must be a non-empty string/],
    [{ suffix: 'x'.repeat(250) }, /longer than 256/],
    [{ executionId: undefined }, /executionId/],
  ])('invalid input %j is InvalidInputError before any AWS call', async (bad, message) => {
    await expect(run(bad as Partial<RetagVolumesInput>)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringMatching(message) });
    expect(aws.ec2Mock.calls()).toHaveLength(0);
  });

  test('a CreateTags failure propagates', async () => {
    aws.ec2Mock.on(CreateTagsCommand).rejects(awsError('UnauthorizedOperation'));
    await expect(run()).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
  });
});
