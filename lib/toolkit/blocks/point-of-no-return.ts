import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { statePath } from '../../private/state-document';

/**
 * Marks the first moment a newer binary can open the store: from here on the rollback restores the
 * pre-upgrade snapshots, because the old binaries may not read what the new ones wrote.
 */
export class PointOfNoReturn extends sfn.Pass {
  constructor(scope: Construct, id: string) {
    super(scope, id, { result: sfn.Result.fromBoolean(true), resultPath: statePath('progress.pastPointOfNoReturn') });
  }
}
