/**
 * scripts/setup.sh, which `npm test`, `npm run rehearse` and .ci/run run first: with every tool there it
 * only looks (the ready line names every tool, HAProxy last); a tool it cannot install (here Maven, with neither mvn nor apt-get on PATH) stops it at
 * once with one line naming the tool.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..', '..');
const setup = (env: NodeJS.ProcessEnv) => spawnSync('bash', [path.join(ROOT, 'scripts', 'setup.sh')], { cwd: ROOT, encoding: 'utf8', env });

/** A PATH of one folder linking every command of this PATH but `hidden`. */
function pathWithout(hidden: string[]): { dir: string; PATH: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-path-'));
  for (const entry of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!entry || !fs.existsSync(entry)) continue;
    for (const name of fs.readdirSync(entry)) {
      const link = path.join(dir, name);
      if (hidden.includes(name) || fs.existsSync(link)) continue;
      fs.symlinkSync(path.join(entry, name), link);
    }
  }
  return { dir, PATH: dir };
}

test('with every tool there it reports them ready and exits 0', () => {
  const run = setup(process.env);
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  expect(run.stdout).toMatch(/^setup: ready: node v\d+.*, moto 5\.2\.1, cfn-lint, aws, JDK (1[7-9]|20) .*, JDK (2[1-9]|[3-9]\d) .*, mvn, haproxy$/m);
});

test('a tool it cannot install stops it, naming the tool', () => {
  const { dir, PATH } = pathWithout(['mvn', 'mvnDebug', 'apt-get', 'apt-cache']);
  try {
    const run = setup({ ...process.env, PATH });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'setup: MISSING mvn (fetches the embedded Neo4j from Maven Central): apt-get cannot install it here; install Apache Maven 3.8+',
      'setup: stopped before any work: 1 tool(s) missing',
    ]);
    expect(run.stdout).not.toContain('ready');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
