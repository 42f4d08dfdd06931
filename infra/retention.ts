import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** CloudWatch accepts only certain retention periods; the shared setting must be one of them. */
export function retentionDays(days: number): RetentionDays {
  const match = Object.values(RetentionDays).find((value) => value === days);
  if (typeof match !== 'number') throw new Error(`${days} days is not a CloudWatch Logs retention period`);
  return match;
}
