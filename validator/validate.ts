import type { Driver } from 'neo4j-driver';
import type { CaptureOptions } from './capture';
import { captureSnapshot } from './capture';
import type { ValidationReport } from './report';
import { compareSnapshots } from './report';
import { verifySamples } from './sample';
import type { Snapshot } from './snapshot';

export interface ValidateOptions extends Omit<CaptureOptions, 'database' | 'uri' | 'onProgress'> {
  readonly sourceDatabase?: string;
  readonly targetDatabase?: string;
  readonly sourceUri?: string;
  readonly targetUri?: string;
  readonly onProgress?: (side: 'source' | 'target', p: Parameters<NonNullable<CaptureOptions['onProgress']>>[0]) => void;
}

/**
 * Compares two live databases: captures both at once (full or quick) and compares. In quick mode the
 * source's sample is also looked up in the target.
 */
export async function validateDatabases(source: Driver, target: Driver, options: ValidateOptions = {}): Promise<ValidationReport> {
  const { sourceDatabase, targetDatabase, sourceUri, targetUri, onProgress, ...common } = options;
  const [expected, found] = await Promise.all([
    captureSnapshot(source, { ...common, database: sourceDatabase, uri: sourceUri, onProgress: (p) => onProgress?.('source', p) }),
    captureSnapshot(target, { ...common, database: targetDatabase, uri: targetUri, sampleSize: 0, onProgress: (p) => onProgress?.('target', p) }),
  ]);
  const extra = expected.samples ? await verifySamples(target, expected.samples, targetDatabase) : [];
  return compareSnapshots(expected, found, extra);
}

export interface CompareBaselineOptions {
  readonly database?: string;
  readonly uri?: string;
  readonly fetchSize?: number;
  readonly onProgress?: CaptureOptions['onProgress'];
}

/**
 * Compares a stored baseline with a live database, capturing the database the way the baseline was
 * captured (same keys, mode and key-hash partition), and verifying the baseline's sample in quick mode.
 */
export async function compareWithBaseline(baseline: Snapshot, target: Driver, options: CompareBaselineOptions = {}): Promise<ValidationReport> {
  if (baseline.partition?.strategy === 'internal-id') {
    throw new Error('the baseline is one internal-id partition: combine all partitions (combineSnapshots) before comparing');
  }
  const found = await captureSnapshot(target, {
    database: options.database,
    uri: options.uri,
    keys: baseline.keys,
    mode: baseline.mode,
    sampleSize: 0,
    partition: baseline.partition,
    fetchSize: options.fetchSize,
    onProgress: options.onProgress,
  });
  const extra = baseline.samples ? await verifySamples(target, baseline.samples, options.database) : [];
  return compareSnapshots(baseline, found, extra);
}
