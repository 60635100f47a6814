/** AWS region names. */

/** A region name in any partition: us-east-1, cn-north-1, us-gov-west-1, us-iso-east-1, us-isob-east-1, eu-isoe-west-1. */
export const REGION_NAME = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+$/;

/** The partition a region belongs to. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  return region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}
