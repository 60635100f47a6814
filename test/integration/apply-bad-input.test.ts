/**
 * `split-role apply` and `rollback` refuse bad input (plans, journals,
 * targets) before any change: the built CLI against moto holding the orders
 * scenario, through the fault proxy, must exit 2 with one line and make no
 * mutating call.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { digestOf, sealPlan } from '../../src/plan/plan-file.js';
import type { Plan, PlanBody } from '../../src/plan/schema.js';
import { resetMoto } from '../support/moto-server.js';
import { planScenario, seedOrdersScenario } from '../support/scenario.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { useProxiedCli } from '../support/proxied-cli.js';

const endpoint = workerMotoEndpoint();

describe.skipIf(!endpoint)('split-role apply / rollback / status against moto', () => {
  const motoEndpoint = endpoint as string;
  const suite = useProxiedCli(motoEndpoint, 'split-role-apply-');
  const { cli } = suite;

  describe('refuses bad input before any change', () => {
    let good: string;
    let goodText: string;
    let goodPlan: Plan;
    let caseNo = 0;

    beforeAll(async () => {
      await resetMoto(motoEndpoint);
      const scenario = await seedOrdersScenario(motoEndpoint);
      good = await planScenario(motoEndpoint, scenario, suite.workdir);
      goodText = await readFile(good, 'utf8');
      goodPlan = JSON.parse(goodText) as Plan;
    });
    beforeEach(() => {
      suite.proxy.setRule(undefined);
      suite.proxy.onForwarded(undefined);
      suite.proxy.clear();
    });

    const body = (): PlanBody => {
      const { digest: _digest, ...rest } = structuredClone(goodPlan);
      return rest;
    };
    const resealed = (edit: (b: PlanBody) => void) => {
      const b = body();
      edit(b);
      return `${JSON.stringify(sealPlan(b), null, 2)}\n`;
    };
    /** The good plan rewritten as text (another account or partition throughout), resealed. */
    const retargeted = (rewrite: (text: string) => string) => {
      const b = JSON.parse(rewrite(JSON.stringify(body(), null, 2))) as PlanBody;
      return `${JSON.stringify(sealPlan(b), null, 2)}\n`;
    };
    /** Seals any JSON the way plan files are sealed, so only the schema (not the digest) can object. */
    const resealedLoose = (edit: (b: Record<string, unknown>) => void) => {
      const b = body() as unknown as Record<string, unknown>;
      edit(b);
      return JSON.stringify({ ...b, digest: digestOf(b as unknown as PlanBody) }, null, 2);
    };

    interface BadCase {
      name: string;
      /** The plan file's text; undefined: no plan file at all. */
      plan: () => string | undefined;
      journal?: () => string;
      env?: Record<string, string>;
      message: RegExp;
    }
    const cases: BadCase[] = [
      { name: 'a corrupt plan (not JSON)', plan: () => '{"schemaVersion": 1, "planId": ', message: /PlanCorrupt: .* is not valid JSON/ },
      {
        name: 'a truncated plan',
        plan: () => goodText.slice(0, Math.floor(goodText.length / 2)),
        message: /PlanCorrupt: .* is not valid JSON/,
      },
      {
        name: 'a hand-edited plan (digest mismatch)',
        plan: () => {
          const edited = structuredClone(goodPlan);
          const statement = edited.newRoles[0]?.inlinePolicies[0]?.document.Statement[0];
          if (statement) statement.Action = '*';
          return JSON.stringify(edited, null, 2);
        },
        message: /PlanDigestMismatch: .* was changed after it was written/,
      },
      {
        name: 'a plan that fails the schema (resealed)',
        plan: () => resealedLoose((b) => delete b.workloads),
        message: /PlanInvalid: .* fails the plan schema at workloads/,
      },
      {
        name: 'a plan of an unknown schema version',
        plan: () => resealedLoose((b) => (b.schemaVersion = 3)),
        message: /PlanVersionUnsupported: .* has schemaVersion 3; this split-role reads version 2/,
      },
      {
        name: 'a plan for another account',
        // Consistently for the other account (every ARN too), as a real plan for it would be.
        plan: () => retargeted((text) => text.replaceAll('123456789012', '111122223333')),
        message: /WrongTarget: these credentials are for account 123456789012 \(plan: 111122223333\)/,
      },
      {
        name: 'a plan for another partition',
        plan: () => retargeted((text) => text.replaceAll('arn:aws:', 'arn:aws-cn:').replace('"partition": "aws"', '"partition": "aws-cn"')),
        message: /WrongTarget: these credentials are for partition aws \(plan: aws-cn\)/,
      },
      {
        name: 'credentials for another region (AWS_REGION)',
        plan: () => goodText,
        env: { AWS_REGION: 'eu-west-1' },
        message: /WrongTarget: these credentials are for region eu-west-1 \(plan: us-east-1\)/,
      },
      {
        name: 'a corrupt journal',
        plan: () => goodText,
        journal: () =>
          `${JSON.stringify({ at: new Date().toISOString(), planId: goodPlan.planId, event: 'run-start', command: 'apply' })}\n` +
          'garbage that is not JSON\n' +
          `${JSON.stringify({ at: new Date().toISOString(), planId: goodPlan.planId, event: 'run-end', command: 'apply', outcome: 'failed' })}\n`,
        message: /JournalCorrupt: journal .* cannot be trusted: line 2 is not JSON/,
      },
      {
        name: 'a journal of another plan',
        plan: () => goodText,
        journal: () =>
          `${JSON.stringify({ at: new Date().toISOString(), planId: 'another-plan-id', event: 'run-start', command: 'apply' })}\n`,
        message: /JournalCorrupt: .* line 1 belongs to plan another-plan-id/,
      },
      { name: 'a missing plan file', plan: () => undefined, message: /PlanUnreadable: cannot read plan .*ENOENT/ },
      {
        name: 'a re-sealed plan whose new role also trusts another account',
        plan: () =>
          resealed((b) =>
            b.newRoles[0]?.trustPolicy.Statement.push({
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::999999999999:root' },
              Action: 'sts:AssumeRole',
            }),
          ),
        message: /PlanUnsafe: the plan breaks split-role's rules: new role orders-\w+'s trust policy is not the shared role's trust/,
      },
      {
        name: 'a re-sealed plan moving a workload to an unrelated role',
        plan: () =>
          resealed((b) => {
            const w = b.workloads.find((x) => x.kind === 'lambda-function');
            if (w?.kind === 'lambda-function') w.target.roleArn = 'arn:aws:iam::123456789012:role/admin';
          }),
        message: /PlanUnsafe: .*Lambda function orders-\w+ would move to arn:aws:iam::123456789012:role\/admin/,
      },
      {
        name: 'a re-sealed plan with a __proto__ key',
        plan: () => resealedLoose((b) => Object.defineProperty(b.sharedRole, '__proto__', { value: { x: 1 }, enumerable: true })),
        message: /PlanInvalid: .* has a key sharedRole\.__proto__ that split-role never writes/,
      },
      {
        name: 'a plan over 20 MB',
        plan: () => goodText + ' '.repeat(20 * 1024 * 1024),
        message: /PlanTooLarge: .* plans over 20 MB are refused unread/,
      },
    ];

    it.each(cases)('$name: apply and rollback exit 2 with no mutating call', async (c) => {
      const dir = join(suite.workdir, `bad-${++caseNo}`);
      await mkdir(dir, { recursive: true });
      const path = join(dir, 'orders.plan.json');
      const text = c.plan();
      if (text !== undefined) await writeFile(path, text);
      if (c.journal) await writeFile(join(dir, 'orders.plan.journal.jsonl'), c.journal());
      for (const command of ['apply', 'rollback']) {
        const run = await cli([command, path, '--yes'], c.env);
        expect(run.code, `${command}: ${run.stderr}`).toBe(2);
        expect(run.stderr).toMatch(c.message);
        expect(run.stderr.trim().split('\n')).toHaveLength(1);
      }
      expect(suite.proxy.mutatingOperations).toEqual([]);
      expect(existsSync(join(dir, 'orders.plan.lock'))).toBe(false);
    });

    it('the good plan itself is accepted (the cases above fail only for their one defect), by apply and rollback under --expect-digest', async () => {
      const dir = join(suite.workdir, 'good');
      await mkdir(dir, { recursive: true });
      await copyFile(good, join(dir, 'orders.plan.json'));
      const unapproved = await cli(['apply', join(dir, 'orders.plan.json'), '--yes', '--expect-digest', `sha256:${'1'.repeat(64)}`]);
      expect(unapproved.stderr).toMatch(/PlanNotApproved: the plan's digest is sha256:\w+, not the approved sha256:1111/);
      expect(unapproved.code).toBe(2);
      expect(suite.proxy.mutatingOperations).toEqual([]);
      const run = await cli(['apply', join(dir, 'orders.plan.json'), '--yes', '--keep-shared-role', '--expect-digest', goodPlan.digest]);
      expect(run.stderr).not.toMatch(/split-role: /);
      expect(run.code).toBe(0);

      // Rollback takes the reviewed digest too: another plan's is refused before any change.
      suite.proxy.clear();
      const unapprovedRollback = await cli([
        'rollback',
        join(dir, 'orders.plan.json'),
        '--yes',
        '--expect-digest',
        `sha256:${'1'.repeat(64)}`,
      ]);
      expect(unapprovedRollback.stderr).toMatch(/PlanNotApproved: the plan's digest is sha256:\w+, not the approved sha256:1111/);
      expect(unapprovedRollback.code).toBe(2);
      expect(suite.proxy.mutatingOperations).toEqual([]);
      const rolledBack = await cli(['rollback', join(dir, 'orders.plan.json'), '--yes', '--expect-digest', goodPlan.digest]);
      expect(rolledBack.code, rolledBack.stderr).toBe(0);
    });
  });
});
