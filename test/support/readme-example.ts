import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { App, Stack } from 'aws-cdk-lib';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'cdk-neo4j-ecs-upgrades';

/** The TypeScript example of README.md's "Composing the constructs", as a user copies it. */
export function readmeExampleSource(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Composing the constructs'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block || !block[1].includes(`from '${PACKAGE_NAME}'`)) {
    throw new Error(`README.md has no \`\`\`ts example importing '${PACKAGE_NAME}' under "## Composing the constructs"`);
  }
  return block[1];
}

/**
 * Runs the README example against this repository's lib/ and returns its app and stack. The example
 * builds its own `new App()`: whatever context it sees is the one of this process (none under jest).
 */
export function runReadmeExample(): { app: App; stack: Stack } {
  const js = ts.transpileModule(`${readmeExampleSource()}\nexports.app = app;\nexports.stack = stack;\n`, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const exported: { app?: App; stack?: Stack } = {};
  const load = createRequire(__filename);
  const requireFromExample = (name: string) => load(name === PACKAGE_NAME ? path.join(ROOT, 'lib') : name);
  vm.runInThisContext(`(function (exports, require) {\n${js}\n})`)(exported, requireFromExample);
  if (!exported.app || !exported.stack) throw new Error('the README example defines no `app` and `stack`');
  return { app: exported.app, stack: exported.stack };
}
