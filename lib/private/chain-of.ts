import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/** The steps chained in order, each one's Next the following one. */
export function chainOf([first, ...others]: sfn.IChainable[]): sfn.Chain {
  return others.reduce<sfn.Chain>((chain, state) => chain.next(state), sfn.Chain.start(first));
}
