/** The EventBridge rule-target kind: everything it contributes, as one registry entry. */
import { defineKind } from '../kind.js';
import { eventTargetAdapter } from './adapter.js';
import { eventTargetMove } from './schema.js';

/** EventBridge rule targets, moved by PutTargets with the whole target and its new RoleArn (at once). */
export const eventTarget = defineKind({
  schema: eventTargetMove,
  adapter: eventTargetAdapter,
  // A target of a rule another AWS service manages (ListRules ManagedBy): only that service may change it.
  followUpKinds: ['managed-event-rule'],
  sessionShapes: [],
  // A target's role needs only what invoking its target takes (the evidence shows it); nothing runs as it otherwise.
  baselines: [],
  errorCodes: {
    EventTargetNotCarried: 'an EventBridge target has a field this split-role’s AWS SDK does not know (PutTargets would drop it)',
  },
  iamActions: {
    discover: ['events:ListEventBuses', 'events:ListRules', 'events:ListTargetsByRule'],
    apply: ['events:PutTargets'],
  },
});
