/** SR003: a role without the ownership tags the run requires (off unless tags are required). */
import type { TrustRule } from './types.js';

/** Alerts and KPIs need an owner to route to; a role without one is nobody's to fix. */
export const missingOwnershipTagsRule: TrustRule<'missing-ownership-tags'> = {
  id: 'SR003',
  kind: 'missing-ownership-tags',
  name: 'MissingOwnershipTags',
  level: 'warning',
  short: 'IAM role without the required ownership tags',
  help: 'Tag the role with each required key (for example owner and application) and a non-empty value, so findings and alerts reach the team that owns it.',
  enabled: (options) => (options.requiredTags?.length ?? 0) > 0,
  evaluate: (subject, options) => {
    if (subject.tags === undefined) return { status: 'not-applicable' };
    const tags = subject.tags;
    const missing = (options.requiredTags ?? []).filter((key) => (tags[key] ?? '').trim() === '');
    return missing.length > 0 ? { status: 'non-compliant', detail: `missing tags: ${missing.join(', ')}` } : { status: 'compliant' };
  },
};
