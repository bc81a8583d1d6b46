import { CfnResource, Validations } from 'aws-cdk-lib';
import { rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag acknowledgements, always on exactly one CloudFormation resource and always with the reason a reviewer
 * reads: never on a stack or a construct subtree, so that nothing added later is silenced by accident.
 */
export function acknowledge(target: IConstruct, id: string, reason: string): void {
  const resource = CfnResource.isCfnResource(target) ? target : target.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`${target.node.path}: a cdk-nag acknowledgement must name one CloudFormation resource`);
  }
  Validations.of(resource).acknowledge({ id, reason });
}

/**
 * AwsSolutions-IAM5 reports each wildcard resource of a policy as its own finding (`Resource::<flattened ARN>`).
 * This acknowledges the findings of `policy` for which `reasonFor` has a reviewed reason, and only those: any other
 * wildcard stays an error. The rule itself computes the finding ids, so they are the ones it will report.
 */
export function acknowledgeWildcardResources(policy: IConstruct, reasonFor: (resource: string) => string | undefined): void {
  const resource = CfnResource.isCfnResource(policy) ? policy : policy.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) throw new Error(`${policy.node.path}: not a policy resource`);
  const findings = rules.iam.IAMNoWildcardPermissions(resource);
  if (!Array.isArray(findings)) return;
  for (const finding of findings) {
    if (!finding.startsWith('Resource::')) continue;
    const reason = reasonFor(finding.slice('Resource::'.length));
    if (reason) acknowledge(resource, `AwsSolutions-IAM5[${finding}]`, reason);
  }
}
