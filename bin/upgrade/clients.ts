/**
 * The AWS clients a verb uses, created on first use: each verb loads only the SDK packages it needs
 * (`--help` loads none). Region and endpoint come from the usual AWS environment unless `config` sets them.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SSMClient } from '@aws-sdk/client-ssm';

/** What every client gets: `--region`, or a test's endpoint and credentials. */
export interface ClientConfig {
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
}

export class UpgradeClients {
  private sfnClient?: SFNClient;
  private cfnClient?: CloudFormationClient;
  private ssmClient?: SSMClient;

  constructor(private readonly config: ClientConfig) {}

  public async sfn(): Promise<SFNClient> {
    const { SFNClient: Client } = await import('@aws-sdk/client-sfn');
    return (this.sfnClient ??= new Client({ ...this.config }));
  }

  public async cfn(): Promise<CloudFormationClient> {
    const { CloudFormationClient: Client } = await import('@aws-sdk/client-cloudformation');
    return (this.cfnClient ??= new Client({ ...this.config }));
  }

  public async ssm(): Promise<SSMClient> {
    const { SSMClient: Client } = await import('@aws-sdk/client-ssm');
    return (this.ssmClient ??= new Client({ ...this.config }));
  }
}
