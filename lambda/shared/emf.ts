import { Logger } from './log';
import { UPGRADE_METRICS } from '../../lib/private/upgrade-telemetry';

/**
 * Writes one metric as a CloudWatch embedded metric format line through the structured log: CloudWatch
 * extracts it from the function's log group, so no PutMetricData call and no IAM statement is needed.
 */
export function emitMetric(
  log: Logger, metric: string, value: number, unit: 'Seconds' | 'Count' | 'None',
  dimensions: Record<string, string>, fields: Record<string, unknown> = {}, at: Date = new Date(),
): void {
  log.info(`metric ${metric}`, {
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [{ Namespace: UPGRADE_METRICS.namespace, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: metric, Unit: unit }] }],
    },
    ...dimensions,
    [metric]: value,
    ...fields,
  });
}
