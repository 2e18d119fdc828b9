// Bundles the CLI's `upgrade` command (bin/cli-upgrade.ts) into dist/bin/cli-upgrade.js, over the file
// tsc wrote there: it carries what it uses of lambda/ (validate-input's checks, the lock and approval
// records), which the package does not ship; the runtime dependencies stay external.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const result = await build({
  entryPoints: [join(root, 'bin', 'cli-upgrade.ts')],
  outfile: join(root, 'dist', 'bin', 'cli-upgrade.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: Object.keys(pkg.dependencies),
  sourcemap: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`bundled dist/bin/cli-upgrade.js ${(bytes / 1024).toFixed(1)} KiB`);
