import { Aws, Stack } from 'aws-cdk-lib';

/**
 * Physical names both stacks agree on without a CloudFormation export between them.
 *
 * - The release bucket's policy (stateful stack) denies writes to every principal but the release step's roles
 *   (stateless stack, which depends on the stateful one): the policy can only name those roles by ARN if the names
 *   are known before the roles exist.
 * - The functions' object-level permissions name the buckets by ARN. With fixed names those ARNs read the same
 *   before and after synthesis (no cross-stack import in them), which keeps each reviewed cdk-nag acknowledgement
 *   bound to one exact resource pattern.
 *
 * Names carry the account and region, so one deployment fits each account and region.
 */
export const APP_PREFIX = 'filiera';

export type BucketPurpose = 'intake' | 'release' | 'evidence' | 'access-logs' | 'console';

export function bucketName(purpose: BucketPurpose, region: string): string {
  return `${APP_PREFIX}-${purpose}-${Aws.ACCOUNT_ID}-${region}`;
}

export function bucketArn(stack: Stack, purpose: BucketPurpose): string {
  return `arn:${Aws.PARTITION}:s3:::${bucketName(purpose, stack.region)}`;
}

/**
 * The release step runs inside these handlers (they call shared/pipeline/release-intake.ts `releaseIntake`):
 * on-upload (an approved verdict releases at once), on-textract-complete (the same, once a scan's Textract job
 * finished), review-decision (an approval) and sweep (a release a crash left behind). Only their roles may write to
 * the release bucket.
 */
export const releasePublishers = ['on-upload', 'on-textract-complete', 'review-decision', 'sweep'] as const;
export type ReleasePublisher = (typeof releasePublishers)[number];

export function isReleasePublisher(handler: string): handler is ReleasePublisher {
  return (releasePublishers as readonly string[]).includes(handler);
}

export function publisherRoleName(handler: ReleasePublisher, region: string): string {
  return `${APP_PREFIX}-${handler}-publisher-${region}`;
}

export function publisherRoleArn(stack: Stack, handler: ReleasePublisher): string {
  return stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: publisherRoleName(handler, stack.region) });
}

/**
 * The trace function (docs/api.md) writes one audit record per trace to the evidence bucket, whose policy
 * names the roles allowed to write there: its role has a fixed name too.
 */
export function traceRoleName(region: string): string {
  return `${APP_PREFIX}-trace-auditor-${region}`;
}

export function traceRoleArn(stack: Stack): string {
  return stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: traceRoleName(stack.region) });
}
