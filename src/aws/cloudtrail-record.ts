/**
 * The CloudTrail record shape both LookupEvents and trail log files deliver
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
 */

/** The fields of a CloudTrail record that attribution reads (log files and LookupEvents share them). */
export interface CloudTrailRecord {
  eventTime: string;
  eventSource: string;
  eventName: string;
  eventCategory?: string;
  /** "AwsApiCall", "AwsServiceEvent", … */
  eventType?: string;
  errorCode?: string;
  /** For calls made by a service itself, the service principal (e.g. "ec2.amazonaws.com"). */
  sourceIPAddress?: string;
  userIdentity?: {
    type?: string;
    arn?: string;
    accessKeyId?: string;
    invokedBy?: string;
    sessionContext?: { sessionIssuer?: { type?: string; arn?: string; userName?: string } };
  };
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  /** Resources the call touched, as CloudTrail lists them. */
  resources?: Array<{ ARN?: string; accountId?: string; type?: string }>;
}
