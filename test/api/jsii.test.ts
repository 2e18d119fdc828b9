/**
 * The public API in lib/ must compile with jsii (no function-typed props, no Error subclasses, no member
 * names reserved in other languages), so the library can be published for Python, Java, .NET and Go,
 * and follow our conventions (no union types). scripts/check-jsii.mjs compiles a copy of lib/ with jsii.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

jest.setTimeout(180_000);

const root = path.resolve(__dirname, '..', '..');
const check = (lib?: string) => spawnSync(process.execPath, [path.join(root, 'scripts', 'check-jsii.mjs'), ...(lib ? ['--lib', lib] : [])], {
  cwd: root, encoding: 'utf8',
});

test('lib/ compiles with jsii with no error and no warning', () => {
  const run = check();
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  expect(run.stdout).toMatch(/^jsii: lib is jsii-compatible \(\d+ types\)/);
});

function badLib(source: string[]): string {
  const lib = fs.mkdtempSync(path.join(os.tmpdir(), 'jsii-bad-'));
  fs.writeFileSync(path.join(lib, 'index.ts'), [...source, ''].join('\n'));
  return lib;
}

test('a union-typed prop is refused, naming it', () => {
  const lib = badLib(['/** Props. */', 'export interface BadProps {', '  /** Either. */', '  readonly size: string | number;', '}']);
  try {
    const run = check(lib);
    expect({ status: run.status, stderr: run.stderr.trim() }).toEqual({
      status: 1, stderr: 'union types in the public API (use an enum-like class): cdk-neo4j-ecs-upgrades.BadProps.size',
    });
  } finally {
    fs.rmSync(lib, { recursive: true, force: true });
  }
});

test('an Error subclass in the API is refused, naming the file and the jsii error', () => {
  const lib = badLib(['/** Thrown. */', 'export class BadError extends Error {', '  constructor() {', "    super('bad');", '  }', '}']);
  try {
    const run = check(lib);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/jsii rejects .*\n(.|\n)*lib\/index\.ts:2:\d+ - error JSII\d+/);
  } finally {
    fs.rmSync(lib, { recursive: true, force: true });
  }
});
