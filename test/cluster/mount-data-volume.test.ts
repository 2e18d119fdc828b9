/**
 * mount-data-volume.sh on file images: real blkid and mkfs.ext4 (they work on regular files), a stub for
 * mount(8) that records its arguments; and one real mount through a loop device (needs root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SCRIPTS_DIR, blankImage, recorder, requireCommand, runScript } from './run-boot-script';

const MOUNT = path.join(SCRIPTS_DIR, 'mount-data-volume.sh');
const E2FS_HINT = 'Install e2fsprogs (Debian: apt-get install -y e2fsprogs; Amazon Linux: dnf install -y e2fsprogs).';
const UTIL_LINUX_HINT = 'Install util-linux (Debian: apt-get install -y util-linux mount).';

let tmp: string;
let n = 0;

beforeAll(() => {
  for (const cmd of ['mkfs.ext4', 'debugfs']) requireCommand(cmd, E2FS_HINT);
  for (const cmd of ['blkid', 'findmnt']) requireCommand(cmd, UTIL_LINUX_HINT);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mount-data-volume-'));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

interface Case {
  dir: string;
  image: string;
  mountPoint: string;
  /** Lines of arguments the mount stub was called with. */
  mountCalls(): string[];
  /** Lines of arguments the mkfs recorder was called with (it then runs the real mkfs.ext4). */
  mkfsCalls(): string[];
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
}

/** A directory with a 32 MiB blank image, a mount stub and a recording mkfs wrapper. */
function newCase(): Case {
  n += 1;
  const dir = path.join(tmp, `case${n}`);
  fs.mkdirSync(dir);
  const image = blankImage(path.join(dir, 'disk.img'));
  const mount = recorder(dir, 'mount-stub', 'exit ${MOUNT_STUB_EXIT:-0}');
  const mkfs = recorder(dir, 'mkfs-recorder', 'exec mkfs.ext4 -q "$@"');
  const mountPoint = path.join(dir, 'data');
  return {
    dir,
    image,
    mountPoint,
    mountCalls: mount.calls,
    mkfsCalls: mkfs.calls,
    env: (extra = {}) => ({
      PATH: process.env.PATH,
      NEO4J_MOUNT_DEVICE: image,
      NEO4J_MOUNT_POINT: mountPoint,
      NEO4J_MOUNT_MOUNT_CMD: mount.path,
      NEO4J_MOUNT_MKFS_CMD: mkfs.path,
      NEO4J_MOUNT_BY_ID_DIR: path.join(dir, 'by-id'),
      NEO4J_MOUNT_DEVICE_TIMEOUT_SECONDS: '5',
      ...extra,
    }),
  };
}

function blkid(image: string, tag: string): string {
  const r = spawnSync('blkid', ['-p', '-o', 'value', '-s', tag, image]);
  return r.stdout.toString().trim();
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** A filesystem that already holds Neo4j data: mkfs, then a file written with debugfs (no mount needed). */
function imageWithData(c: Case): string {
  execFileSync('mkfs.ext4', ['-q', c.image]);
  const marker = path.join(c.dir, 'marker');
  fs.writeFileSync(marker, 'graph data\n');
  execFileSync('debugfs', ['-w', '-R', `write ${marker} neo4j-marker`, c.image], { stdio: 'ignore' });
  return blkid(c.image, 'UUID');
}

function readMarker(c: Case): string {
  return execFileSync('debugfs', ['-R', 'cat /neo4j-marker', c.image], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
}

describe('mount-data-volume.sh', () => {
  test('formats a blank device (blkid finds nothing), then mounts it', async () => {
    const c = newCase();
    expect(blkid(c.image, 'TYPE')).toBe('');

    const r = await runScript(MOUNT, c.env());

    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${c.image} ${c.mountPoint} ext4 formatted\n`);
    expect(blkid(c.image, 'TYPE')).toBe('ext4');
    expect(c.mkfsCalls()).toEqual([c.image]);
    expect(c.mountCalls()).toEqual([`-t ext4 -o defaults,noatime ${c.image} ${c.mountPoint}`]);
    expect(fs.statSync(c.mountPoint).isDirectory()).toBe(true);
  });

  test('never formats a device that already has a filesystem: data and UUID survive', async () => {
    const c = newCase();
    const uuid = imageWithData(c);

    const r = await runScript(MOUNT, c.env());

    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${c.image} ${c.mountPoint} ext4 existing\n`);
    expect(c.mkfsCalls()).toEqual([]);
    expect(blkid(c.image, 'UUID')).toBe(uuid);
    expect(readMarker(c)).toBe('graph data\n');
    expect(c.mountCalls()).toEqual([`-t ext4 -o defaults,noatime ${c.image} ${c.mountPoint}`]);
  });

  test('running twice formats once (idempotent)', async () => {
    const c = newCase();
    const first = await runScript(MOUNT, c.env());
    const uuid = blkid(c.image, 'UUID');
    const second = await runScript(MOUNT, c.env());

    expect([first.code, second.code]).toEqual([0, 0]);
    expect(first.stdout).toMatch(/ formatted\n$/);
    expect(second.stdout).toMatch(/ existing\n$/);
    expect(c.mkfsCalls()).toHaveLength(1);
    expect(blkid(c.image, 'UUID')).toBe(uuid);
  });

  test('mounts a filesystem of another type as that type rather than reformatting it to NEO4J_MOUNT_FS_TYPE', async () => {
    const c = newCase();
    const uuid = imageWithData(c);

    const r = await runScript(MOUNT, c.env({ NEO4J_MOUNT_FS_TYPE: 'xfs', NEO4J_MOUNT_MKFS_CMD: 'false' }));

    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${c.image} ${c.mountPoint} ext4 existing\n`);
    expect(r.stderr).toMatch(/already holds ext4 \(not xfs\): mounting it as ext4, not reformatting/);
    expect(blkid(c.image, 'UUID')).toBe(uuid);
    expect(c.mountCalls()).toEqual([`-t ext4 -o defaults,noatime ${c.image} ${c.mountPoint}`]);
  });

  test('refuses a device with a partition table and no filesystem: exit 4, not a byte written', async () => {
    const c = newCase();
    // An MBR with one Linux partition: blkid reports PTTYPE=dos and no TYPE.
    const fd = fs.openSync(c.image, 'r+');
    const entry = Buffer.alloc(16);
    entry[4] = 0x83;
    entry.writeUInt32LE(2048, 8);
    entry.writeUInt32LE(16384, 12);
    fs.writeSync(fd, entry, 0, 16, 446);
    fs.writeSync(fd, Buffer.from([0x55, 0xaa]), 0, 2, 510);
    fs.closeSync(fd);
    const before = sha256(c.image);

    const r = await runScript(MOUNT, c.env());

    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/holds a dos partition table, not a filesystem: refusing to format or mount it/);
    expect(sha256(c.image)).toBe(before);
    expect(c.mkfsCalls()).toEqual([]);
    expect(c.mountCalls()).toEqual([]);
  });

  test('does not format when blkid itself fails (only "nothing found", exit 2, means blank)', async () => {
    const c = newCase();
    const failingBlkid = recorder(c.dir, 'blkid-broken', 'echo "blkid: I/O error" >&2; exit 4');

    const r = await runScript(MOUNT, c.env({ NEO4J_MOUNT_BLKID_CMD: failingBlkid.path }));

    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/blkid could not probe .* \(exit 4\): not formatting it/);
    expect(failingBlkid.calls()).toEqual([`-p -o export ${c.image}`]);
    expect(c.mkfsCalls()).toEqual([]);
    expect(c.mountCalls()).toEqual([]);
  });

  test('waits for the device to appear (attachment still in progress)', async () => {
    const c = newCase();
    const late = path.join(c.dir, 'late.img');
    const running = runScript(MOUNT, c.env({ NEO4J_MOUNT_DEVICE: late }));
    await new Promise((r) => setTimeout(r, 1500));
    fs.renameSync(c.image, late);

    const r = await running;

    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${late} ${c.mountPoint} ext4 formatted\n`);
  });

  test('exits 3 naming what it looked for when the device never appears', async () => {
    const c = newCase();
    const r = await runScript(MOUNT, c.env({
      NEO4J_MOUNT_DEVICE: '/dev/xvdf-not-here',
      NEO4J_MOUNT_VOLUME_ID: 'vol-0123456789abcdef0',
      NEO4J_MOUNT_DEVICE_TIMEOUT_SECONDS: '1',
    }));

    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no device appeared within 1s');
    expect(r.stderr).toContain('/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0');
    expect(c.mkfsCalls()).toEqual([]);
  });

  test('finds a Nitro NVMe device by the volume id in its serial (by-id link), ahead of the device name', async () => {
    const c = newCase();
    const byId = path.join(c.dir, 'by-id');
    fs.mkdirSync(byId);
    fs.symlinkSync(c.image, path.join(byId, 'nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0'));

    const r = await runScript(MOUNT, c.env({
      NEO4J_MOUNT_VOLUME_ID: 'vol-0123456789abcdef0',
      NEO4J_MOUNT_DEVICE: '/dev/xvdf-not-here',
    }));

    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${c.image} ${c.mountPoint} ext4 formatted\n`);
  });

  test('already mounted from this device: nothing to do; from another device: exit 5', async () => {
    const c = newCase();
    imageWithData(c);
    const findmnt = (source: string) => recorder(c.dir, `findmnt-${crypto.randomUUID()}`, `echo '${source}'`).path;

    const same = await runScript(MOUNT, c.env({ NEO4J_MOUNT_FINDMNT_CMD: findmnt(c.image) }));
    const other = await runScript(MOUNT, c.env({ NEO4J_MOUNT_FINDMNT_CMD: findmnt('/dev/nvme9n1') }));

    expect(same.code).toBe(0);
    expect(same.stdout).toBe(`${c.image} ${c.mountPoint} ext4 already-mounted\n`);
    expect(other.code).toBe(5);
    expect(other.stderr).toContain(`${c.mountPoint} is already a mount of /dev/nvme9n1, not of ${c.image}`);
    expect(c.mountCalls()).toEqual([]);
    expect(c.mkfsCalls()).toEqual([]);
  });

  test('exits 5 when mount fails', async () => {
    const c = newCase();
    const r = await runScript(MOUNT, { ...c.env(), MOUNT_STUB_EXIT: '32' });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/mount -t ext4 -o defaults,noatime .* failed/);
  });

  test('records the mount in an fstab by UUID with nofail, replacing its own line and keeping the others', async () => {
    const c = newCase();
    const fstab = path.join(c.dir, 'fstab');
    fs.writeFileSync(fstab, [
      '# static file system information',
      'UUID=root-uuid / xfs defaults 0 1',
      `UUID=stale-uuid ${c.mountPoint} ext4 defaults,nofail 0 2`,
      '',
    ].join('\n'));

    const first = await runScript(MOUNT, c.env({ NEO4J_MOUNT_FSTAB: fstab }));
    const second = await runScript(MOUNT, c.env({ NEO4J_MOUNT_FSTAB: fstab }));

    expect([first.code, second.code]).toEqual([0, 0]);
    const uuid = blkid(c.image, 'UUID');
    expect(fs.readFileSync(fstab, 'utf8').split('\n').filter((l) => l)).toEqual([
      '# static file system information',
      'UUID=root-uuid / xfs defaults 0 1',
      `UUID=${uuid} ${c.mountPoint} ext4 defaults,noatime,nofail 0 2`,
    ]);
  });

  test.each([
    [{ NEO4J_MOUNT_DEVICE: '' }, /NEO4J_MOUNT_DEVICE='' must be an absolute path/],
    [{ NEO4J_MOUNT_DEVICE: 'xvdf' }, /NEO4J_MOUNT_DEVICE='xvdf' must be an absolute path/],
    [{ NEO4J_MOUNT_POINT: '/' }, /NEO4J_MOUNT_POINT='\/' must be an absolute path other than \//],
    [{ NEO4J_MOUNT_POINT: 'data' }, /NEO4J_MOUNT_POINT='data' must be/],
    [{ NEO4J_MOUNT_VOLUME_ID: 'i-123' }, /NEO4J_MOUNT_VOLUME_ID='i-123' is not a volume id/],
    [{ NEO4J_MOUNT_FS_TYPE: 'btrfs' }, /NEO4J_MOUNT_FS_TYPE='btrfs' must be ext4 or xfs/],
    [{ NEO4J_MOUNT_OPTIONS: 'rw;reboot' }, /NEO4J_MOUNT_OPTIONS='rw;reboot' is not a mount option list/],
    [{ NEO4J_MOUNT_MOUNT_CMD: '/no/such/mount' }, /command '\/no\/such\/mount' was not found/],
  ])('rejects bad configuration %j with exit 2, touching nothing', async (extra, message) => {
    const c = newCase();
    const before = sha256(c.image);
    const r = await runScript(MOUNT, c.env(extra));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(sha256(c.image)).toBe(before);
    expect(c.mkfsCalls()).toEqual([]);
  });

  test('real mount through a loop device: formats once, data survives unmount and remount (needs root)', async () => {
    requireCommand('losetup', UTIL_LINUX_HINT);
    if (process.getuid?.() !== 0) {
      throw new Error('This test mounts a loop device and must run as root (CI runs as root).');
    }
    const c = newCase();
    const loop = execFileSync('losetup', ['--find', '--show', c.image]).toString().trim();
    const env = { PATH: process.env.PATH, NEO4J_MOUNT_DEVICE: loop, NEO4J_MOUNT_POINT: c.mountPoint };
    try {
      const first = await runScript(MOUNT, env);
      expect(first.stderr).toContain('mount-data-volume:');
      expect(first.code).toBe(0);
      expect(first.stdout).toBe(`${loop} ${c.mountPoint} ext4 formatted\n`);
      fs.writeFileSync(path.join(c.mountPoint, 'neo4j-marker'), 'graph data\n');

      const again = await runScript(MOUNT, env);
      expect(again.stdout).toBe(`${loop} ${c.mountPoint} ext4 already-mounted\n`);

      execFileSync('umount', [c.mountPoint]);
      expect(fs.existsSync(path.join(c.mountPoint, 'neo4j-marker'))).toBe(false);
      const remount = await runScript(MOUNT, env);
      expect(remount.stdout).toBe(`${loop} ${c.mountPoint} ext4 existing\n`);
      expect(fs.readFileSync(path.join(c.mountPoint, 'neo4j-marker'), 'utf8')).toBe('graph data\n');
      expect(execFileSync('findmnt', ['-rn', '-o', 'SOURCE,OPTIONS', '--mountpoint', c.mountPoint]).toString())
        .toMatch(new RegExp(`^${loop} .*noatime`));
    } finally {
      spawnSync('umount', [c.mountPoint]);
      spawnSync('losetup', ['-d', loop]);
    }
  });
});
