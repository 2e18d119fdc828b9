import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** The procedure's topic: the one given, else a new one encrypted with the AWS managed SNS key. */
export function notificationTopicOf(procedure: Construct, given: sns.ITopic | undefined): sns.ITopic {
  return given ?? new sns.Topic(procedure, 'Notifications', {
    displayName: `Neo4j upgrades (${procedure.node.path})`,
    masterKey: kms.Alias.fromAliasName(procedure, 'SnsKey', 'alias/aws/sns'),
    enforceSSL: true,
  });
}
