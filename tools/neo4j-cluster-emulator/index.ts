export * from './server-model';
export * from './emulated-cluster';
export * from './emulated-bolt';
