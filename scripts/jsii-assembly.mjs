/**
 * Compiles a copy of lib/ with jsii in a scratch package (the repository itself builds with tsc into
 * dist/, and its lib/ is also the home of the boot scripts) and hands the scratch folder, with its
 * `.jsii` assembly, to a callback before removing it. Used by the jsii check and by the API.md generator.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Thrown when jsii rejects the library; the message holds its diagnostics. */
export class JsiiRejected extends Error {}

/**
 * Runs jsii on `libDir` and calls `use(workDir, assembly)`; throws JsiiRejected on any jsii error or
 * warning, or a plain Error when jsii is not installed.
 */
export async function withJsiiAssembly(libDir, use) {
  let jsiiBin;
  try {
    jsiiBin = path.join(path.dirname(require.resolve('jsii/package.json')), 'bin', 'jsii');
  } catch {
    throw new Error('jsii is not installed: run `npm ci` (jsii is a devDependency)');
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const installed = (name) => JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'jsii-check-'));
  try {
    fs.cpSync(libDir, path.join(work, 'lib'), { recursive: true });
    fs.copyFileSync(path.join(root, 'README.md'), path.join(work, 'README.md'));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'), 'dir');
    fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({
      name: pkg.name,
      version: pkg.version,
      description: pkg.description,
      license: pkg.license,
      author: { name: 'cdk-neo4j-ecs-upgrades maintainers', organization: true },
      repository: { type: 'git', url: 'https://github.com/cdk-neo4j-ecs-upgrades/cdk-neo4j-ecs-upgrades.git' },
      main: 'lib/index.js',
      types: 'lib/index.d.ts',
      peerDependencies: pkg.peerDependencies,
      devDependencies: { 'aws-cdk-lib': installed('aws-cdk-lib'), constructs: installed('constructs') },
      jsii: { outdir: 'dist', targets: {} },
    }, null, 2));
    const run = spawnSync(process.execPath, [jsiiBin, '--fail-on-warnings', '--silence-warnings=reserved-word'], {
      cwd: work, encoding: 'utf8', env: { ...process.env, JSII_SUPPRESS_UPGRADE_PROMPT: '1', JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' },
    });
    if (run.status !== 0) {
      const output = `${run.stdout}${run.stderr}`.split('\n').filter((l) => /JSII\d|error|warning|Successful|Failed/.test(l)).join('\n');
      throw new JsiiRejected(`jsii rejects ${path.relative(process.cwd(), libDir) || '.'}:\n${output}`);
    }
    const assembly = JSON.parse(fs.readFileSync(path.join(work, '.jsii'), 'utf8'));
    return await use(work, assembly);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
