#!/usr/bin/env node
/**
 * Proves the public API in lib/ is jsii-compatible: compiles a copy of lib/ with jsii in a scratch
 * package (the repository itself builds with tsc into dist/, and its lib/ is also the home of the boot
 * scripts). Exits non-zero and prints jsii's diagnostics on any error or warning, or when a property or
 * parameter has a union type (allowed by jsii, not by our conventions).
 *
 *   node scripts/check-jsii.mjs [--lib <dir>]     (default: ./lib)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const libAt = args.indexOf('--lib');
const libDir = path.resolve(libAt >= 0 ? args[libAt + 1] : path.join(root, 'lib'));

let jsiiBin;
try {
  jsiiBin = path.join(path.dirname(require.resolve('jsii/package.json')), 'bin', 'jsii');
} catch {
  console.error('jsii is not installed: run `npm ci` (jsii is a devDependency)');
  process.exit(2);
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
  const output = `${run.stdout}${run.stderr}`.split('\n').filter((l) => /JSII\d|error|warning|Successful|Failed/.test(l)).join('\n');
  if (run.status !== 0) {
    console.error(`jsii rejects ${path.relative(process.cwd(), libDir) || '.'}:\n${output}`);
    process.exit(1);
  }
  const assembly = JSON.parse(fs.readFileSync(path.join(work, '.jsii'), 'utf8'));
  // jsii accepts union types; our convention does not (enum-like classes instead): they read badly in Java and Go.
  const unions = [];
  for (const [fqn, type] of Object.entries(assembly.types ?? {})) {
    for (const member of [...(type.properties ?? []), ...(type.methods ?? []).flatMap((m) => m.parameters ?? [])]) {
      if (JSON.stringify(member).includes('"union"')) unions.push(`${fqn}.${member.name}`);
    }
  }
  if (unions.length > 0) {
    console.error(`union types in the public API (use an enum-like class): ${unions.join(', ')}`);
    process.exit(1);
  }
  console.log(`jsii: ${path.relative(process.cwd(), libDir) || '.'} is jsii-compatible (${Object.keys(assembly.types ?? {}).length} types)`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
