/**
 * claim-data-volume.sh against moto_server: the real script, run as a child process with the real aws CLI.
 * Every test uses its own Name/Environment tags, so the tests share one moto without seeing each other.
 */
import {
  AttachVolumeCommand,
  CreateVolumeCommand,
  DescribeImagesCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  EC2Client,
  RunInstancesCommand,
  Volume,
} from '@aws-sdk/client-ec2';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { warmAwsCli } from '../../tools/aws-cli';
import {
  ScriptResult, SCRIPTS_DIR, blankImage, envWithout, recorder, requireCommand, runScript,
} from './run-boot-script';

const CLAIM = path.join(SCRIPTS_DIR, 'claim-data-volume.sh');
const MOUNT = path.join(SCRIPTS_DIR, 'mount-data-volume.sh');
const AWS_CLI_INSTALL_HINT = 'The claim script needs the aws CLI: install it with `pip install awscli`.';

let moto: MotoServer;
let tmp: string;
let awsCli: string;
const clients = new Map<string, EC2Client>();
const subnets = new Map<string, string>(); // AZ -> default subnet
const images = new Map<string, string>(); // region -> AMI id
let uniq = 0;

function ec2(region = 'us-east-1'): EC2Client {
  let client = clients.get(region);
  if (!client) {
    client = new EC2Client(motoClientConfig(moto, region));
    clients.set(region, client);
  }
  return client;
}

function regionOf(az: string): string {
  return az.replace(/[a-z]$/, '');
}

/** Launches one instance in the default subnet of the AZ; returns its id. */
async function launch(az: string): Promise<string> {
  const region = regionOf(az);
  if (!images.has(region)) {
    const found = await ec2(region).send(new DescribeImagesCommand({}));
    images.set(region, found.Images![0].ImageId!);
    const nets = await ec2(region).send(new DescribeSubnetsCommand({}));
    for (const net of nets.Subnets ?? []) subnets.set(net.AvailabilityZone!, net.SubnetId!);
  }
  const subnet = subnets.get(az);
  if (!subnet) throw new Error(`moto has no default subnet in ${az}`);
  const run = await ec2(region).send(new RunInstancesCommand({
    ImageId: images.get(region)!, MinCount: 1, MaxCount: 1, InstanceType: 't3.medium', SubnetId: subnet,
  }));
  const instance = run.Instances![0];
  expect(instance.Placement?.AvailabilityZone).toBe(az);
  return instance.InstanceId!;
}

async function createVolume(az: string, tags: Record<string, string>): Promise<string> {
  const tagList = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  const created = await ec2(regionOf(az)).send(new CreateVolumeCommand({
    AvailabilityZone: az, Size: 5, VolumeType: 'gp3',
    TagSpecifications: tagList.length ? [{ ResourceType: 'volume', Tags: tagList }] : undefined,
  }));
  return created.VolumeId!;
}

async function volume(id: string, region = 'us-east-1'): Promise<Volume> {
  const found = await ec2(region).send(new DescribeVolumesCommand({ VolumeIds: [id] }));
  return found.Volumes![0];
}

async function taggedVolumes(name: string, environment: string, region = 'us-east-1'): Promise<Volume[]> {
  const found = await ec2(region).send(new DescribeVolumesCommand({
    Filters: [{ Name: 'tag:Name', Values: [name] }, { Name: 'tag:Environment', Values: [environment] }],
  }));
  return found.Volumes ?? [];
}

function tagsOf(v: Volume): Record<string, string> {
  return Object.fromEntries((v.Tags ?? []).map((t) => [t.Key!, t.Value!]));
}

function attachedTo(v: Volume): string[] {
  return (v.Attachments ?? []).map((a) => a.InstanceId!);
}

/** Fresh tags per test, so tests sharing the moto server do not see each other's volumes. */
function pool(): { name: string; environment: string } {
  uniq += 1;
  return { name: `neo4j-t${uniq}-data`, environment: `env${uniq}` };
}

/** The script's environment: moto credentials and endpoint, fast polling, IMDS pointed nowhere. */
function claimEnv(
  p: { name: string; environment: string },
  instanceId: string,
  az: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(moto.env).filter(([k]) => !k.startsWith('NEO4J_')));
  return {
    ...base,
    NEO4J_CLAIM_VOLUME_NAME: p.name,
    NEO4J_CLAIM_ENVIRONMENT: p.environment,
    NEO4J_CLAIM_VOLUME_SIZE: '10',
    NEO4J_CLAIM_INSTANCE_ID: instanceId,
    NEO4J_CLAIM_AVAILABILITY_ZONE: az,
    NEO4J_CLAIM_IMDS_ENDPOINT: 'http://127.0.0.1:9', // nothing listens: a test must not need IMDS by accident
    NEO4J_CLAIM_POLL_SECONDS: '0.5',
    NEO4J_CLAIM_RETRY_DELAY_SECONDS: '1',
    NEO4J_CLAIM_SETTLE_SECONDS: '1',
    // The real aws CLI served warm (tools/aws-cli); the test 'records the calls' runs the plain `aws`.
    NEO4J_CLAIM_AWS_CLI: awsCli,
    ...extra,
  };
}

function claimed(result: ScriptResult): { volumeId: string; device: string } {
  if (result.code !== 0) {
    throw new Error(`claim-data-volume.sh exited ${result.code} (${result.signal ?? 'no signal'}):\n${result.stderr}`);
  }
  const match = /^(vol-[0-9a-f]+) (\/dev\/[a-z0-9]+)\n$/.exec(result.stdout);
  if (!match) throw new Error(`unexpected stdout ${JSON.stringify(result.stdout)}; stderr:\n${result.stderr}`);
  return { volumeId: match[1], device: match[2] };
}

beforeAll(async () => {
  requireCommand('aws', AWS_CLI_INSTALL_HINT);
  moto = await startMoto();
  awsCli = await warmAwsCli();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'claim-data-volume-'));
});

afterAll(async () => {
  for (const client of clients.values()) client.destroy();
  await moto?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('claim-data-volume.sh (moto_server)', () => {
  test('claims the available volume in its own AZ, not the one in another AZ', async () => {
    const p = pool();
    const elsewhere = await createVolume('us-east-1a', { Name: p.name, Environment: p.environment });
    const here = await createVolume('us-east-1b', { Name: p.name, Environment: p.environment });
    const instance = await launch('us-east-1b');

    const result = claimed(await runScript(CLAIM, claimEnv(p, instance, 'us-east-1b')));

    expect(result).toEqual({ volumeId: here, device: '/dev/xvdf' });
    expect(attachedTo(await volume(here))).toEqual([instance]);
    expect((await volume(elsewhere)).State).toBe('available');
  });

  test('skips volumes in other AZs: creates one in its own AZ when its AZ has none', async () => {
    const p = pool();
    const elsewhere = await createVolume('us-east-1a', { Name: p.name, Environment: p.environment });
    const instance = await launch('us-east-1c');

    const result = claimed(await runScript(CLAIM, claimEnv(p, instance, 'us-east-1c')));

    expect(result.volumeId).not.toBe(elsewhere);
    const created = await volume(result.volumeId);
    expect(created.AvailabilityZone).toBe('us-east-1c');
    expect(attachedTo(created)).toEqual([instance]);
    expect((await volume(elsewhere)).State).toBe('available');
  });

  test('never claims a volume whose Name or Environment differs (e.g. <name>-old)', async () => {
    const p = pool();
    const az = 'us-east-1a';
    const others = [
      await createVolume(az, { Name: `${p.name}-old`, Environment: p.environment }),
      await createVolume(az, { Name: `old-${p.name}`, Environment: p.environment }),
      await createVolume(az, { Name: p.name.toUpperCase(), Environment: p.environment }),
      await createVolume(az, { Name: `${p.name} `, Environment: p.environment }),
      await createVolume(az, { Name: p.name, Environment: `${p.environment}-staging` }),
      await createVolume(az, { Name: p.name }),
      await createVolume(az, { Environment: p.environment }),
      await createVolume(az, {}),
    ];
    const instance = await launch(az);

    const result = claimed(await runScript(CLAIM, claimEnv(p, instance, az)));

    expect(others).not.toContain(result.volumeId);
    expect(tagsOf(await volume(result.volumeId))).toEqual({ Name: p.name, Environment: p.environment });
    for (const id of others) expect((await volume(id)).State).toBe('available');
  });

  test('reuses a volume already attached to this instance (reboot), with its device name', async () => {
    const p = pool();
    const az = 'us-east-1a';
    const mine = await createVolume(az, { Name: p.name, Environment: p.environment });
    const spare = await createVolume(az, { Name: p.name, Environment: p.environment });
    const instance = await launch(az);
    await ec2().send(new AttachVolumeCommand({ VolumeId: mine, InstanceId: instance, Device: '/dev/xvdg' }));

    const result = claimed(await runScript(CLAIM, claimEnv(p, instance, az)));

    expect(result).toEqual({ volumeId: mine, device: '/dev/xvdg' });
    expect((await volume(spare)).State).toBe('available');
    expect(await taggedVolumes(p.name, p.environment)).toHaveLength(2);
  });

  test('creates a tagged volume with the requested size, type, IOPS, throughput and KMS key when none is available', async () => {
    const p = pool();
    const az = 'us-east-1d';
    const instance = await launch(az);

    const result = claimed(await runScript(CLAIM, claimEnv(p, instance, az, {
      NEO4J_CLAIM_VOLUME_SIZE: '12',
      NEO4J_CLAIM_VOLUME_TYPE: 'gp3',
      NEO4J_CLAIM_VOLUME_IOPS: '4000',
      NEO4J_CLAIM_VOLUME_THROUGHPUT: '250',
      NEO4J_CLAIM_VOLUME_KMS_KEY_ID: 'alias/neo4j-data',
    })));

    const created = await volume(result.volumeId);
    expect(created).toMatchObject({
      AvailabilityZone: az, Size: 12, VolumeType: 'gp3', Iops: 4000, Throughput: 250,
      Encrypted: true, KmsKeyId: 'alias/neo4j-data',
    });
    expect(tagsOf(created)).toEqual({ Name: p.name, Environment: p.environment });
    expect(attachedTo(created)).toEqual([instance]);
    expect(result.device).toBe('/dev/xvdf');
    expect(await taggedVolumes(p.name, p.environment)).toHaveLength(1);
  });

  test('is idempotent: a second run on the same instance claims the same volume and creates nothing', async () => {
    const p = pool();
    const az = 'us-east-1a';
    const instance = await launch(az);
    const env = claimEnv(p, instance, az, { NEO4J_CLAIM_VOLUME_TYPE: 'gp2', NEO4J_CLAIM_VOLUME_ENCRYPTED: 'false' });

    const first = claimed(await runScript(CLAIM, env));
    const second = claimed(await runScript(CLAIM, env));

    expect(second).toEqual(first);
    const all = await taggedVolumes(p.name, p.environment);
    expect(all.map((v) => v.VolumeId)).toEqual([first.volumeId]);
    expect(all[0]).toMatchObject({ VolumeType: 'gp2', Encrypted: false, Size: 10 });
    expect(attachedTo(all[0])).toEqual([instance]);
  });

  test('moto accepts AttachVolume of a volume attached elsewhere (so the script must re-check, not trust it)', async () => {
    const az = 'us-east-1a';
    const id = await createVolume(az, {});
    const [a, b] = [await launch(az), await launch(az)];
    await ec2().send(new AttachVolumeCommand({ VolumeId: id, InstanceId: a, Device: '/dev/xvdf' }));
    await ec2().send(new AttachVolumeCommand({ VolumeId: id, InstanceId: b, Device: '/dev/xvdf' }));
    // Real EC2 rejects the second call (VolumeInUse); moto lets the last attach win. The tests below
    // cover both: an error from AttachVolume, and an accepted attach that a re-describe shows lost.
    expect(attachedTo(await volume(id))).toEqual([b]);
  });

  test.each([1, 2])('race %i: two nodes, one available volume: both end with a volume of their own', async () => {
    const p = pool();
    const az = 'us-east-1b';
    const only = await createVolume(az, { Name: p.name, Environment: p.environment });
    const [a, b] = [await launch(az), await launch(az)];

    // Settle long enough that moto's last-writer-wins attach is seen by the first writer's re-check.
    const settle = { NEO4J_CLAIM_SETTLE_SECONDS: '3' };
    const [ra, rb] = await Promise.all([
      runScript(CLAIM, claimEnv(p, a, az, settle)),
      runScript(CLAIM, claimEnv(p, b, az, settle)),
    ]);
    const [ca, cb] = [claimed(ra), claimed(rb)];

    expect(ca.volumeId).not.toBe(cb.volumeId);
    expect([ca.volumeId, cb.volumeId]).toContain(only);
    expect(attachedTo(await volume(ca.volumeId))).toEqual([a]);
    expect(attachedTo(await volume(cb.volumeId))).toEqual([b]);
    const all = await taggedVolumes(p.name, p.environment);
    expect(all.map((v) => v.VolumeId).sort()).toEqual([ca.volumeId, cb.volumeId].sort());
    for (const v of all) {
      expect(v.AvailabilityZone).toBe(az);
      expect(tagsOf(v)).toEqual({ Name: p.name, Environment: p.environment });
    }
  });

  /**
   * Forces one interleaving of the race through an aws CLI wrapper: a rival node attaches the contested
   * volume (for real, on moto) at a chosen moment; the script's own calls go to the real CLI unchanged
   * (SHIM_AWS: the warm one).
   *  - attach-error: the rival wins first and our AttachVolume fails, as real EC2 answers (VolumeInUse);
   *  - rival-after-attach: our AttachVolume is accepted, then the rival's (moto lets the last one win);
   *  - rival-after-verify: the rival's attach lands after we first saw `attached` (the settle re-check).
   */
  const RIVAL_SHIM = `#!/usr/bin/env bash
args=" $* "
rival() {
  "$SHIM_AWS" --region "$SHIM_REGION" --output text ec2 attach-volume --volume-id "$SHIM_CONTESTED" \\
    --instance-id "$SHIM_RIVAL" --device /dev/xvdf >/dev/null || exit 99
  touch "$SHIM_DIR/rival-attached"
}
if [[ ! -e $SHIM_DIR/rival-attached ]]; then
  if [[ $args == *" attach-volume "* && $args == *" --volume-id $SHIM_CONTESTED "* ]]; then
    case $SHIM_MODE in
      attach-error)
        rival
        echo "An error occurred (VolumeInUse) when calling the AttachVolume operation: $SHIM_CONTESTED is already attached to an instance" >&2
        exit 254 ;;
      rival-after-attach) "$SHIM_AWS" "$@"; rc=$?; rival; exit $rc ;;
      rival-after-verify) touch "$SHIM_DIR/we-attached" ;;
    esac
  elif [[ $SHIM_MODE == rival-after-verify && -e $SHIM_DIR/we-attached && $args == *" describe-volumes "* \\
      && $args == *" --volume-ids $SHIM_CONTESTED "* ]]; then
    "$SHIM_AWS" "$@"; rc=$?; rival; exit $rc
  fi
fi
exec "$SHIM_AWS" "$@"
`;

  test.each(['attach-error', 'rival-after-attach', 'rival-after-verify'])(
    'loses the race (%s): detects it, moves on, and ends with its own volume',
    async (mode) => {
      const p = pool();
      const az = 'us-east-1a';
      const contested = await createVolume(az, { Name: p.name, Environment: p.environment });
      const [me, rival] = [await launch(az), await launch(az)];
      const dir = fs.mkdtempSync(path.join(tmp, `${mode}-`));
      const shim = path.join(dir, 'aws-with-rival');
      fs.writeFileSync(shim, RIVAL_SHIM, { mode: 0o755 });

      const result = await runScript(CLAIM, claimEnv(p, me, az, {
        NEO4J_CLAIM_AWS_CLI: shim,
        SHIM_AWS: awsCli, SHIM_MODE: mode, SHIM_DIR: dir, SHIM_CONTESTED: contested, SHIM_RIVAL: rival, SHIM_REGION: 'us-east-1',
      }));
      const mine = claimed(result);

      expect(fs.existsSync(path.join(dir, 'rival-attached'))).toBe(true);
      expect(result.stderr).toMatch(mode === 'attach-error' ? /AttachVolume vol-\S+ failed: .*VolumeInUse/ : /lost vol-\S+: it is attached to i-/);
      expect(mine.volumeId).not.toBe(contested);
      expect(attachedTo(await volume(contested))).toEqual([rival]);
      const created = await volume(mine.volumeId);
      expect(attachedTo(created)).toEqual([me]);
      expect(created.AvailabilityZone).toBe(az);
      expect(tagsOf(created)).toEqual({ Name: p.name, Environment: p.environment });
      expect(await taggedVolumes(p.name, p.environment)).toHaveLength(2);
    },
  );

  test('gives up after NEO4J_CLAIM_MAX_ROUNDS with exit 4 and a clear message, creating at most one volume', async () => {
    const p = pool();
    const az = 'us-east-1a';
    const result = await runScript(CLAIM, claimEnv(p, 'i-00000000000000dead', az, {
      NEO4J_CLAIM_MAX_ROUNDS: '3', NEO4J_CLAIM_RETRY_DELAY_SECONDS: '0',
    }));

    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/ERROR: no data volume claimed for i-00000000000000dead in us-east-1a after 3 rounds; last error: .*InvalidInstanceID/);
    const all = await taggedVolumes(p.name, p.environment);
    expect(all).toHaveLength(1);
    expect(all[0].State).toBe('available'); // left in the pool, not deleted
  });

  test('takes instance id, AZ and region from IMDSv2 (region not hard-coded: us-west-2 here)', async () => {
    const p = pool();
    const az = 'us-west-2b';
    const here = await createVolume(az, { Name: p.name, Environment: p.environment });
    const instance = await launch(az);
    const seen: string[] = [];
    const token = 'imds-test-token';
    const imds = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.method === 'PUT' && req.url === '/latest/api/token' && req.headers['x-aws-ec2-metadata-token-ttl-seconds']) {
        res.end(token);
        return;
      }
      const values: Record<string, string> = {
        '/latest/meta-data/instance-id': instance,
        '/latest/meta-data/placement/availability-zone': az,
        '/latest/meta-data/placement/region': 'us-west-2',
      };
      if (req.method !== 'GET' || req.headers['x-aws-ec2-metadata-token'] !== token) {
        res.statusCode = 401; // IMDSv1 (no token) is refused, as on an instance that requires v2
        res.end();
      } else if (values[req.url ?? ''] === undefined) {
        res.statusCode = 404;
        res.end();
      } else {
        res.end(values[req.url!]);
      }
    });
    await new Promise<void>((resolve) => imds.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = imds.address() as AddressInfo;
      const env = envWithout(
        claimEnv(p, instance, az, { NEO4J_CLAIM_IMDS_ENDPOINT: `http://127.0.0.1:${port}` }),
        'AWS_REGION', 'AWS_DEFAULT_REGION', 'NEO4J_CLAIM_INSTANCE_ID', 'NEO4J_CLAIM_AVAILABILITY_ZONE',
      );

      const result = claimed(await runScript(CLAIM, env));

      expect(result.volumeId).toBe(here);
      expect(attachedTo(await volume(here, 'us-west-2'))).toEqual([instance]);
      expect(seen).toEqual(expect.arrayContaining([
        'PUT /latest/api/token',
        'GET /latest/meta-data/instance-id',
        'GET /latest/meta-data/placement/availability-zone',
        'GET /latest/meta-data/placement/region',
      ]));
    } finally {
      await new Promise((resolve) => imds.close(resolve));
    }
  });

  test('exits 3 naming what to install when the aws CLI is missing', async () => {
    const p = pool();
    const result = await runScript(CLAIM, claimEnv(p, 'i-0123456789abcdef0', 'us-east-1a', {
      NEO4J_CLAIM_AWS_CLI: path.join(tmp, 'no-such-aws'),
    }));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/aws CLI .* was not found: install it/);
  });

  test.each([
    [{ NEO4J_CLAIM_VOLUME_NAME: '' }, /NEO4J_CLAIM_VOLUME_NAME='' must be/],
    [{ NEO4J_CLAIM_VOLUME_NAME: 'neo4j-*' }, /NEO4J_CLAIM_VOLUME_NAME='neo4j-\*' must be/],
    [{ NEO4J_CLAIM_ENVIRONMENT: 'prod"' }, /NEO4J_CLAIM_ENVIRONMENT='prod"' must be/],
    [{ NEO4J_CLAIM_VOLUME_SIZE: '0' }, /NEO4J_CLAIM_VOLUME_SIZE='0' must be/],
    [{ NEO4J_CLAIM_VOLUME_SIZE: '18446744073709551617' }, /NEO4J_CLAIM_VOLUME_SIZE='18446744073709551617' must be/],
    [{ NEO4J_CLAIM_SETTLE_SECONDS: '1.5.2' }, /NEO4J_CLAIM_SETTLE_SECONDS='1.5.2' must be a number of seconds/],
    [{ NEO4J_CLAIM_VOLUME_TYPE: 'gp4' }, /NEO4J_CLAIM_VOLUME_TYPE='gp4' must be one of/],
    [{ NEO4J_CLAIM_VOLUME_TYPE: 'gp2', NEO4J_CLAIM_VOLUME_IOPS: '3000' }, /IOPS='3000' is only valid with volume type gp3, io1 or io2/],
    [{ NEO4J_CLAIM_VOLUME_TYPE: 'io2', NEO4J_CLAIM_VOLUME_THROUGHPUT: '300' }, /THROUGHPUT='300' is only valid with volume type gp3/],
    [{ NEO4J_CLAIM_VOLUME_ENCRYPTED: 'false', NEO4J_CLAIM_VOLUME_KMS_KEY_ID: 'alias/x' }, /KMS_KEY_ID is set but NEO4J_CLAIM_VOLUME_ENCRYPTED=false/],
    [{ NEO4J_CLAIM_DEVICE: '/dev/xvda' }, /NEO4J_CLAIM_DEVICE='\/dev\/xvda' must be/],
    [{ NEO4J_CLAIM_MAX_ROUNDS: '0' }, /NEO4J_CLAIM_MAX_ROUNDS='0' must be/],
    [{ NEO4J_CLAIM_INSTANCE_ID: 'vol-123' }, /instance id 'vol-123' is not an EC2 instance id/],
  ])('rejects bad configuration %j with exit 2 before any AWS call', async (extra, message) => {
    const p = pool();
    const dir = fs.mkdtempSync(path.join(tmp, 'config-'));
    const aws = recorder(dir, 'aws', 'exec aws "$@"');

    const result = await runScript(CLAIM, claimEnv(p, 'i-0123456789abcdef0', 'us-east-1a', {
      NEO4J_CLAIM_AWS_CLI: aws.path, ...extra,
    }));

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(aws.calls()).toEqual([]);
  });

  test('claim then mount: the claimed volume resolves to its NVMe device and is formatted only the first time', async () => {
    requireCommand('mkfs.ext4', 'Install e2fsprogs (apt-get install -y e2fsprogs).');
    requireCommand('blkid', 'Install util-linux (apt-get install -y util-linux).');
    const p = pool();
    const az = 'us-east-1a';
    const instance = await launch(az);
    const dir = fs.mkdtempSync(path.join(tmp, 'mount-'));
    const byId = path.join(dir, 'by-id');
    fs.mkdirSync(byId);
    const image = blankImage(path.join(dir, 'nvme1n1.img'));
    const mountStub = recorder(dir, 'mount');

    const boot = async () => {
      const claim = claimed(await runScript(CLAIM, claimEnv(p, instance, az)));
      // What udev does on a Nitro instance: the NVMe serial is the volume id without the dash.
      const link = path.join(byId, `nvme-Amazon_Elastic_Block_Store_${claim.volumeId.replace('-', '')}`);
      if (!fs.existsSync(link)) fs.symlinkSync(image, link);
      const mount = await runScript(MOUNT, {
        PATH: process.env.PATH,
        NEO4J_MOUNT_VOLUME_ID: claim.volumeId,
        NEO4J_MOUNT_DEVICE: claim.device, // /dev/xvdf: does not exist here, the by-id link does
        NEO4J_MOUNT_POINT: path.join(dir, 'data'),
        NEO4J_MOUNT_BY_ID_DIR: byId,
        NEO4J_MOUNT_MOUNT_CMD: mountStub.path,
        NEO4J_MOUNT_DEVICE_TIMEOUT_SECONDS: '5',
      });
      expect(mount.stderr).toContain('mount-data-volume:');
      expect(mount.code).toBe(0);
      return { claim, status: mount.stdout.trim().split(' ')[3] };
    };

    const first = await boot();
    const uuid = execFileSync('blkid', ['-p', '-o', 'value', '-s', 'UUID', image]).toString().trim();
    const second = await boot();

    expect(second.claim).toEqual(first.claim);
    expect([first.status, second.status]).toEqual(['formatted', 'existing']);
    expect(execFileSync('blkid', ['-p', '-o', 'value', '-s', 'UUID', image]).toString().trim()).toBe(uuid);
    expect(mountStub.calls()).toEqual([
      `-t ext4 -o defaults,noatime ${image} ${path.join(dir, 'data')}`,
      `-t ext4 -o defaults,noatime ${image} ${path.join(dir, 'data')}`,
    ]);
  });
});

describe('claim-data-volume.sh: each cluster claims only its own volumes (issue 17)', () => {
  const KEY = 'neo4j-upgrades:cluster';
  const as = (cluster: string, adopt = false) => ({
    NEO4J_CLAIM_CLUSTER_ID: cluster, NEO4J_CLAIM_CLUSTER_TAG_KEY: KEY, NEO4J_CLAIM_ADOPT_UNTAGGED: String(adopt),
  });

  test('two clusters with the same Name and Environment tags in one AZ: each claims its own, and creates rather than take the other\'s', async () => {
    const p = pool();
    const az = 'us-east-1a';
    const tags = { Name: p.name, Environment: p.environment };
    const a1 = await createVolume(az, { ...tags, [KEY]: 'StackA/11111111' });
    const b1 = await createVolume(az, { ...tags, [KEY]: 'StackB/22222222' });

    const aFirst = claimed(await runScript(CLAIM, claimEnv(p, await launch(az), az, as('StackA/11111111'))));
    expect(aFirst.volumeId).toBe(a1);
    // Cluster A's second node finds B's volume available with the same Name/Environment: it is not A's.
    const aSecondNode = await launch(az);
    const aSecond = claimed(await runScript(CLAIM, claimEnv(p, aSecondNode, az, as('StackA/11111111'))));
    expect([a1, b1]).not.toContain(aSecond.volumeId);
    expect(tagsOf(await volume(aSecond.volumeId))).toEqual({ ...tags, [KEY]: 'StackA/11111111' });
    expect(attachedTo(await volume(b1))).toEqual([]);

    const bFirst = claimed(await runScript(CLAIM, claimEnv(p, await launch(az), az, as('StackB/22222222'))));
    expect(bFirst.volumeId).toBe(b1);
    expect(attachedTo(await volume(a1))).not.toContain(bFirst.volumeId);
    expect(tagsOf(await volume(b1))[KEY]).toBe('StackB/22222222');
  });

  test('a volume without an identity is claimed only when adopting (else the node stops rather than boot empty), and is then tagged as the adopter\'s', async () => {
    const p = pool();
    const az = 'us-east-1b';
    const tags = { Name: p.name, Environment: p.environment };
    const untagged = await createVolume(az, tags);
    const others = await createVolume(az, { ...tags, [KEY]: 'Other/33333333' });

    // Not adopting: it neither takes the untagged volume nor boots on a new empty one beside it.
    const strict = await runScript(CLAIM, claimEnv(p, await launch(az), az, as('Mine/44444444')));
    expect(strict.code).toBe(5);
    expect(strict.stderr).toContain(`not creating an empty volume: ${az} has available volume(s)`);
    expect(strict.stderr).toContain(untagged);
    expect(strict.stderr).toContain('adoptUntaggedVolumes: true');
    expect(tagsOf(await volume(untagged))).toEqual(tags);

    const adopted = claimed(await runScript(CLAIM, claimEnv(p, await launch(az), az, as('Mine/44444444', true))));
    expect(adopted.volumeId).toBe(untagged);
    expect(tagsOf(await volume(untagged))).toEqual({ ...tags, [KEY]: 'Mine/44444444' });
    // Adopting never reaches another cluster's volume: the next adopter node creates one.
    const next = claimed(await runScript(CLAIM, claimEnv(p, await launch(az), az, as('Mine/44444444', true))));
    expect([untagged, others]).not.toContain(next.volumeId);
    expect(attachedTo(await volume(others))).toEqual([]);
    expect(tagsOf(await volume(others))[KEY]).toBe('Other/33333333');
  }, 240_000); // three boots, each with a few aws CLI calls

  test('without an identity (a cluster that predates them) only untagged volumes are claimed', async () => {
    const p = pool();
    const az = 'us-east-1c';
    const tags = { Name: p.name, Environment: p.environment };
    const owned = await createVolume(az, { ...tags, [KEY]: 'Stack/55555555' });
    const legacy = await createVolume(az, tags);
    const result = claimed(await runScript(CLAIM, claimEnv(p, await launch(az), az)));
    expect(result.volumeId).toBe(legacy);
    expect(attachedTo(await volume(owned))).toEqual([]);
    expect(tagsOf(await volume(legacy))).toEqual(tags);
  });

  test('refuses adoption without an identity, before any AWS call (exit 2)', async () => {
    const p = pool();
    const result = await runScript(CLAIM, claimEnv(p, 'i-0123456789abcdef0', 'us-east-1a', { NEO4J_CLAIM_ADOPT_UNTAGGED: 'true' }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('NEO4J_CLAIM_ADOPT_UNTAGGED=true needs NEO4J_CLAIM_CLUSTER_ID');
  });
});
