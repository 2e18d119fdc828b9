#!/usr/bin/env node
/**
 * Proves the public API in lib/ is jsii-compatible: compiles a copy of lib/ with jsii in a scratch
 * package (scripts/jsii-assembly.mjs). Exits non-zero and prints jsii's diagnostics on any error or
 * warning, or when a property or parameter has a union type (allowed by jsii, not by our conventions).
 *
 *   node scripts/check-jsii.mjs [--lib <dir>]     (default: ./lib)
 */
import * as path from 'node:path';
import { JsiiRejected, root, withJsiiAssembly } from './jsii-assembly.mjs';

const args = process.argv.slice(2);
const libAt = args.indexOf('--lib');
const libDir = path.resolve(libAt >= 0 ? args[libAt + 1] : path.join(root, 'lib'));

try {
  const types = await withJsiiAssembly(libDir, (_work, assembly) => {
    // jsii accepts union types; our convention does not (enum-like classes instead): they read badly in Java and Go.
    const unions = [];
    for (const [fqn, type] of Object.entries(assembly.types ?? {})) {
      for (const member of [...(type.properties ?? []), ...(type.methods ?? []).flatMap((m) => m.parameters ?? [])]) {
        if (JSON.stringify(member).includes('"union"')) unions.push(`${fqn}.${member.name}`);
      }
    }
    if (unions.length > 0) throw new JsiiRejected(`union types in the public API (use an enum-like class): ${unions.join(', ')}`);
    return Object.keys(assembly.types ?? {}).length;
  });
  console.log(`jsii: ${path.relative(process.cwd(), libDir) || '.'} is jsii-compatible (${types} types)`);
} catch (err) {
  console.error(err.message);
  process.exit(err instanceof JsiiRejected ? 1 : 2);
}
