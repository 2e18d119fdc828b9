import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The package's root folder, found by walking up from this file, so assets resolve the same from
 * `lib/` (ts-node, tests) and from `dist/lib/` (the published build).
 */
export function packageRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** Reads a file shipped in the package, by its path from the package root. */
export function readPackageFile(...segments: string[]): string {
  return fs.readFileSync(path.join(packageRoot(), ...segments), 'utf8');
}
