/**
 * Maps the state machine's Lambda functions to the library's real handler logic, in-process:
 * function ARN -> template logical id -> Description `cdk-neo4j-ecs-upgrades: <handler-name>` ->
 * lambda/<handler-name>/logic.ts `logic(deps, input)`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnTemplate } from './synth';

export const HANDLER_DESCRIPTION = /^cdk-neo4j-ecs-upgrades: ([a-z0-9-]+)$/;

export type Logic = (deps: unknown, input: unknown) => Promise<unknown>;

/** Handler name per Lambda logical id, from the functions' descriptions in the synthesized template. */
export function handlerNames(template: CfnTemplate): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const m = HANDLER_DESCRIPTION.exec(String(r.Properties?.Description ?? ''));
    if (m) out.set(id, m[1]);
  }
  return out;
}

const cache = new Map<string, Logic>();

/** lambda/<name>/logic.ts's `logic`, loaded once. */
export function loadLogic(root: string, name: string): Logic {
  const cached = cache.get(name);
  if (cached) return cached;
  const file = path.join(root, 'lambda', name, 'logic.ts');
  if (!fs.existsSync(file)) throw new Error(`the state machine calls handler ${name}, but ${file} does not exist`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(root, 'lambda', name, 'logic')) as { logic?: Logic };
  if (typeof mod.logic !== 'function') throw new Error(`${file} exports no logic(deps, input)`);
  cache.set(name, mod.logic);
  return mod.logic;
}

/** Another export of a handler's logic module (e.g. a contract constant), or undefined. */
export function handlerExport(root: string, name: string, exportName: string): unknown {
  loadLogic(root, name);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(root, 'lambda', name, 'logic')) as Record<string, unknown>)[exportName];
}
