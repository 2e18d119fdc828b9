import { Logger, jsonLogger } from './log';

/**
 * Adapts a pure `logic(deps, input)` to a Lambda handler: builds the dependencies once per container,
 * logs start and outcome as JSON, and rethrows errors unchanged so their `name` reaches Step Functions.
 */
export function lambdaHandler<D, I, O>(
  name: string,
  makeDeps: (log: Logger) => D,
  logic: (deps: D, input: I) => Promise<O>,
): (input: I) => Promise<O> {
  const log = jsonLogger({ handler: name });
  let deps: D | undefined;
  return async (input: I) => {
    deps ??= makeDeps(log);
    log.info('start', { input });
    try {
      const output = await logic(deps, input);
      log.info('done', { output });
      return output;
    } catch (err) {
      const e = err as Error;
      log.error('failed', { errorName: e.name, errorMessage: e.message });
      throw err;
    }
  };
}
