/**
 * aws-local-stepfunctions 3 calls `Promise.withResolvers` (Node 22+) when a Task state runs. On Node 20 the
 * call throws a TypeError inside the task, which a Catch on States.ALL then silently routes to the failure
 * path. Import this module before aws-local-stepfunctions.
 */
type WithResolvers = <T>() => { promise: Promise<T>; resolve: (value: T | PromiseLike<T>) => void; reject: (reason?: unknown) => void };

const promise = Promise as unknown as { withResolvers?: WithResolvers };
if (typeof promise.withResolvers !== 'function') {
  promise.withResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const p = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: p, resolve, reject };
  };
}

export const PROMISE_WITH_RESOLVERS_POLYFILLED = true;
