/** AWS account ids. */

/** A 12-digit AWS account id, as IAM, ARNs and CloudTrail's folders write it. */
export const ACCOUNT_ID = /^\d{12}$/;
