export * from './server-model';
export * from './emulated-cluster';
export * from './emulated-bolt';
export * from './causal-cluster';
export * from './causal-bolt';
