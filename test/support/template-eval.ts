/**
 * Resolves the intrinsic functions a parameter-only stack update acts through (Ref to a parameter,
 * Fn::FindInMap, Fn::Join, Fn::Sub-free values) for a given set of parameter values, so tests can show
 * what a node would run after `UpdateStack` with only parameters changed. The rehearsal uses the same one.
 */
export { resolveWithParameters } from '../../tools/rehearsal/node-settings';
