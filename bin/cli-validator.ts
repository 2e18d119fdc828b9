/**
 * What the CLI's commands use of the validator. bin/cli.ts loads it on first use: it brings in
 * neo4j-driver (over half a second), which `--help` and usage errors do not need.
 */
export { captureSnapshot } from '../validator/capture';
export { connect, credentialsFromEnv, parseCredentialsSecret, redactUri } from '../validator/connect';
export { exportImport } from '../validator/export-import';
export { formatReport } from '../validator/report';
export { combineSnapshots, parseSnapshot, serializeSnapshot } from '../validator/snapshot';
export { parseKeyOption } from '../validator/stable-key';
export { compareWithBaseline, validateDatabases } from '../validator/validate';
