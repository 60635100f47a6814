/**
 * The regions AWS has, by partition, as the SDK's endpoint rules list them
 * (a unit test keeps this list in step with @aws-sdk/core's partitions). A
 * region outside it is refused before any call: a typo such as us-east-7
 * would otherwise scan nothing and say so as success, or fail on a DNS error.
 */
export const KNOWN_REGIONS: ReadonlySet<string> = new Set([
  // aws
  ...['af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2'],
  ...['ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7'],
  ...['ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1'],
  ...['eu-west-2', 'eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1', 'me-west-1', 'mx-central-1', 'sa-east-1'],
  ...['sa-west-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'],
  // aws-cn, aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-us-gov
  ...['cn-north-1', 'cn-northwest-1', 'eusc-de-east-1', 'us-iso-east-1', 'us-iso-west-1', 'us-isob-east-1', 'us-isob-west-1'],
  ...['eu-isoe-west-1', 'us-isof-east-1', 'us-isof-south-1', 'us-gov-east-1', 'us-gov-west-1'],
]);

/** The known region nearest to a mistyped one (same prefix, e.g. us-east-7 → us-east-1), for the hint. */
export function nearestRegion(region: string): string | undefined {
  const stem = region.replace(/-\d+$/, '-');
  return [...KNOWN_REGIONS].find((known) => known.startsWith(stem));
}
