/** SR002: a role that a service and a principal of another account can both assume. */
import type { TrustRule } from './types.js';

/** An outside principal could obtain the credentials a service workload uses. */
export const serviceAndCrossAccountRule: TrustRule<'service-and-cross-account'> = {
  id: 'SR002',
  kind: 'service-and-cross-account',
  name: 'ServiceAndCrossAccountRole',
  level: 'error',
  short: 'IAM role assumable by an AWS service and by another account',
  help: 'A principal outside the account can obtain the same credentials that a service workload uses. Give the external principal its own role.',
  enabled: () => true,
  evaluate: (subject) => {
    if (subject.services.length === 0) return { status: 'not-applicable' };
    return subject.otherPrincipals.some((p) => p.crossAccount) ? { status: 'non-compliant' } : { status: 'compliant' };
  },
};
