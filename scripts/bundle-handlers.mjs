// Pre-bundles every Lambda handler (lambda/<name>/index.ts) into assets/lambda/<name>/index.js,
// so constructs load them with Code.fromAsset and consumers never need esbuild or Docker at synth.
import { build } from 'esbuild';
import { readdirSync, existsSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lambdaDir = join(root, 'lambda');
const outRoot = join(root, 'assets', 'lambda');

const handlers = readdirSync(lambdaDir).filter(
  (name) => statSync(join(lambdaDir, name)).isDirectory() && existsSync(join(lambdaDir, name, 'index.ts')),
);

const sizes = {};
await Promise.all(handlers.map(async (name) => {
  const outfile = join(outRoot, name, 'index.js');
  const result = await build({
    entryPoints: [join(lambdaDir, name, 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  sizes[name] = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
}));

mkdirSync(outRoot, { recursive: true });
writeFileSync(join(outRoot, 'bundle-sizes.json'), JSON.stringify(sizes, null, 2) + '\n');
for (const [name, bytes] of Object.entries(sizes).sort()) {
  console.log(`bundled ${name.padEnd(28)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB`);
}
