export * from './errors';
export * from './cluster/cluster-mode';
export * from './cluster/cluster-parameters';
export * from './cluster/data-volume';
export * from './cluster/docker-image-reference';
export * from './cluster/neo4j-cluster';
export * from './cluster/neo4j-version-family';
export * from './cluster/node-capacity';
