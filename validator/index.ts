/**
 * Migration validator and export/import for Neo4j upgrades (Node.js library; used by bin/cli.ts and the
 * validate-migration Lambda). See README section "Migration validator" in validator/README.md.
 */
export { captureSnapshot } from './capture';
export type { CaptureOptions, CaptureProgress } from './capture';
export { validateDatabases, compareWithBaseline } from './validate';
export type { ValidateOptions, CompareBaselineOptions } from './validate';
export { compareSnapshots, formatReport, summarize } from './report';
export type { Difference, DifferenceKind, SnapshotSummary, ValidationReport } from './report';
export { SNAPSHOT_FORMAT, combineSnapshots, parseSnapshot, serializeSnapshot } from './snapshot';
export type { GroupDigest, NodeSample, PartitionSpec, RelationshipSample, Snapshot, TypedJson } from './snapshot';
export { normalizeKeys, parseKeyOption } from './stable-key';
export type { KeyConfig, NormalizedKeys } from './stable-key';
export { CHECKSUM_ALGORITHM, Sum128 } from './checksum';
export { encodeValue, encodeMap } from './canonical';
export {
  readSchema,
  normalizeIndexRow,
  normalizeConstraintRow,
  createStatements,
  indexIdentity,
  constraintIdentity,
} from './schema';
export type { ConstraintInfo, IndexInfo, SchemaInfo } from './schema';
export { exportImport, MigrationInterruptedError, IMPORT_LABEL, IMPORT_ID, CHECKPOINT_LABEL } from './export-import';
export type { ExportImportOptions, MigrationProgress, MigrationResult, MigrationPhase } from './export-import';
export { connect, credentialsFromEnv, parseCredentialsSecret, redactUri } from './connect';
export type { Credentials } from './connect';
export { progressBar, renderProgress } from './progress-bar';
export type { ProgressBar } from './progress-bar';
