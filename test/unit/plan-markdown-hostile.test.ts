/**
 * A review rendered from hostile account data contains no link, image, HTML
 * or control character once a real Markdown parser (markdown-it, with
 * autolinking on) has rendered it (issue 10 items 9 and 10).
 */
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { renderPlanMarkdown } from '../../src/plan/markdown.js';
import type { Plan } from '../../src/plan/schema.js';
import { samplePlan } from './fixtures/plan-fixtures.js';

/** Names an attacker with write access to IAM, tags or trail files could choose. */
const HOSTILE = [
  '/a`![x](https://e.vil/i.png)`/',
  '/u/[click](https://e.vil)/',
  '<img src=x onerror=alert(1)>',
  '``` \n</details>\n# Approved\n[x](https://e.vil)',
  'https://e.vil/path www.e.vil mail@e.vil',
  '\u001b]0;pwned\u0007\u001b[2J\u202eevil',
  '| cell | [a](b) |',
  '&lt;script&gt; &#91;x&#93;(https://e.vil)',
];

function hostilePlan(name: string): Plan {
  const plan = samplePlan();
  const shared = plan.sharedRole;
  shared.roleName = name;
  shared.arn = `arn:aws:iam::123456789012:role${name}`;
  shared.path = name;
  plan.warnings.push(`tag value ${name}`);
  plan.evidence.blindSpots.push(name);
  plan.evidence.window.start = name;
  plan.excludedServices.push(name);
  plan.unused.push({ policy: name, policyKind: 'inline', sid: name, statementIndex: 0, patterns: [name] });
  plan.unattributed.push({ action: name, count: 1, lastSeen: name, grantedTo: [name] });
  plan.followUps.push({ kind: 'manual-service', resource: name, message: `move ${name} by hand` });
  plan.followUps.push({
    kind: 'auto-scaling-group',
    resource: name,
    message: `Auto Scaling group ${name} launches instances with the shared role's instance profile`,
  });
  shared.tags.push({ Key: 'team', Value: name });
  for (const role of plan.newRoles) {
    role.roleName = name;
    role.service = name;
    role.actions.push({ action: name, count: 1, lastSeen: name, origin: 'used' });
    role.unobservable.push({ action: name, reason: name, kept: true });
    role.trustPolicy.Statement.push({ Sid: name, Effect: 'Allow', Principal: { Service: name }, Action: name });
    role.tags.push({ Key: name, Value: name });
  }
  for (const w of plan.workloads) {
    if (w.kind === 'lambda-function') {
      w.functionName = name;
      w.current.roleArn = name;
    }
    if (w.kind === 'ec2-instance') {
      w.instanceId = name;
      w.target.instanceProfileName = name;
    }
  }
  return plan;
}

describe('the Markdown review of a plan full of hostile names', () => {
  const md = new MarkdownIt({ html: true, linkify: true });

  it.each(HOSTILE)('renders %j with no link, image, raw HTML or control character', (name) => {
    const review = renderPlanMarkdown(hostilePlan(name));
    const tokens = md.parse(review, {});
    const ours =
      /^(<details><summary>(Trust policy and policy diff|Plan facts|Blind spots: what the evidence cannot see|Unused grants|Unattributed actions|Unmapped events|Records without a readable identity|Resource policies that name the shared role|Who owns what)<\/summary>|<\/details>)\n$/;
    const inline = tokens.flatMap((t) => [t, ...(t.children ?? [])]).filter((t) => !(t.type === 'html_block' && ours.test(t.content)));
    expect(
      inline.filter((t) => ['link_open', 'image', 'html_inline', 'html_block'].includes(t.type)).map((t) => t.content || t.attrGet('href')),
    ).toEqual([]);
    const html = md.render(review);
    expect(html).not.toMatch(/<a |<img |<script/);
    // eslint-disable-next-line no-control-regex -- the test looks for the control characters that must not get through
    expect(review + html).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    // The review's own structure survives: the attacker adds no heading and closes no <details> early.
    expect(tokens.filter((t) => t.type === 'heading_open' && t.tag === 'h1')).toHaveLength(1);
    // Each role's trust and diff, plus the plan's folded sections, each opened and closed once.
    const plan = hostilePlan(name);
    const folds =
      plan.newRoles.length +
      6 +
      ((plan.unmappedEvents ?? []).length > 0 ? 1 : 0) +
      ((plan.evidence.unreadableIdentities ?? []).length > 0 ? 1 : 0);
    expect(tokens.filter((t) => t.type === 'html_block' && ours.test(t.content))).toHaveLength(2 * folds);
  });

  it('still shows the names, as text', () => {
    const html = md.render(renderPlanMarkdown(hostilePlan('/u/[click](https://e.vil)/')));
    expect(html).toContain('[click](https://e.vil)');
  });
});
