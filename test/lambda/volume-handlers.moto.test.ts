import { memoryLogger } from '../../lambda/shared/log';
import { MOTO_CREDENTIALS, MotoServer, startMoto } from '../support/moto';
import { attach, createDataVolume, createGroup, motoAws } from './fixtures/moto-ec2';
import { CLUSTER } from './fixtures/volume-cluster';

const HANDLERS = [
  'snapshot-volumes', 'snapshots-complete', 'resolve-master', 'keep-master', 'verify-master-kept', 'retag-volumes', 'plan-clone-targets', 'copy-snapshot-to-region', 'create-clone-volumes', 'restore-volumes',
];

type Handler = (input: unknown) => Promise<unknown>;
const load = (name: string): Handler => (jest.requireActual(`../../lambda/${name}/index`) as { handler: Handler }).handler;

/**
 * The index.ts adapters as Lambda runs them: real clients built by makeAwsDeps from the environment
 * (AWS_REGION, credentials, AWS_ENDPOINT_URL pointing at moto), JSON logs on stdout, errors rethrown
 * with their names.
 */
describe('volume task handlers (index.ts) against moto_server', () => {
  let moto: MotoServer;
  const saved = { ...process.env };
  let lines: string[];
  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, MOTO_CREDENTIALS, { AWS_ENDPOINT_URL: moto.endpoint, AWS_MAX_ATTEMPTS: '1' });
  });
  afterAll(async () => {
    process.env = saved;
    await moto?.stop();
  });
  beforeEach(() => {
    lines = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { lines.push(String(chunk)); return true; });
  });
  afterEach(() => jest.restoreAllMocks());

  test.each(HANDLERS)('%s: invalid input is InvalidInputError, logged as JSON', async (name) => {
    await expect(load(name)({})).rejects.toMatchObject({ name: 'InvalidInputError' });
    const logged = lines.map((l) => JSON.parse(l));
    expect(logged).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'start', handler: name }),
      expect.objectContaining({ level: 'ERROR', message: 'failed', handler: name, errorName: 'InvalidInputError' }),
    ]);
  });

  test('resolve-master runs end to end through its adapter', async () => {
    const aws = { ...motoAws(moto), log: memoryLogger() };
    const [instance] = await createGroup(aws.ec2, aws.autoScaling, { name: CLUSTER.mainAutoScalingGroupName, desired: 1, availabilityZones: ['us-east-1c'] });
    await createGroup(aws.ec2, aws.autoScaling, { name: CLUSTER.slaveAutoScalingGroupName, desired: 1, availabilityZones: ['us-east-1c'] });
    const volumeId = await createDataVolume(aws.ec2, CLUSTER, 'us-east-1c');
    await attach(aws.ec2, volumeId, instance.InstanceId as string);

    await expect(load('resolve-master')({ cluster: CLUSTER, masterInstanceId: instance.InstanceId }))
      .resolves.toMatchObject({ instanceId: instance.InstanceId, volumeId, availabilityZone: 'us-east-1c' });
  });
});
