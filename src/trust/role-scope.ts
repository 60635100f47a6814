/** Which roles split-role judges at all. */

/** Service-linked roles are owned and shaped by AWS; they are never findings. */
export function isServiceLinkedRole(path: string): boolean {
  return path.startsWith('/aws-service-role/');
}
