import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, AppProps } from 'aws-cdk-lib';

/**
 * An App built with the cdk.json feature flags and cached lookups, so tests synthesize what `cdk synth`
 * does (the constructs themselves do not depend on the flags: test/packaging/flagless-app.test.ts).
 */
export function appWithFeatureFlags(props: AppProps = {}): App {
  const root = path.join(__dirname, '..', '..');
  const cdkJson = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8'));
  // cdk.context.json holds the cached AZ lookup of the example account, as `cdk synth` reads it.
  const cached = JSON.parse(fs.readFileSync(path.join(root, 'cdk.context.json'), 'utf8'));
  return new App({ ...props, context: { ...cdkJson.context, ...cached, ...(props.context ?? {}) } });
}
