import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { describe, expect, test } from 'vitest';
import { buildCapacityTracker } from '#infra/capacity-tracker';
import { REPO_ROOT } from '#scripts/docs/generate';
import { newApp, SYNTH_TIMEOUT } from '../infra/synth';

/** The table of accepted cdk-nag findings, hand-written with the reason for each: docs/security.md. */
const SECURITY_DOC = join(REPO_ROOT, 'docs', 'security.md');
const securityDoc = readFileSync(SECURITY_DOC, 'utf8');
const nagTable = securityDoc.split('<!-- nag:start -->')[1]?.split('<!-- nag:end -->')[0] ?? '';

/** The cdk-nag rules the code acknowledges, without the bracketed finding (IAM5[Resource::*] → IAM5). */
function acknowledgedRules(): Set<string> {
  const app = newApp({ stage: 'prod' });
  buildCapacityTracker(app);
  const rules = app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data as Record<string, string>))
      .map((key) => key.replace(/^Annotation::/, '').replace(/\[.*$/, ''))
      .filter((rule) => rule.startsWith('AwsSolutions-')),
  );
  return new Set(rules);
}

describe('docs/security.md: what a security review will find', () => {
  test('lists exactly the cdk-nag rules the code acknowledges', { timeout: SYNTH_TIMEOUT }, () => {
    expect(nagTable, `${SECURITY_DOC} has no <!-- nag:start --> … <!-- nag:end --> table`).not.toBe('');
    const listed = [...nagTable.matchAll(/^\| `(AwsSolutions-[A-Z]+\d+)` \|/gm)].map((match) => match[1]);
    expect(new Set(listed).size).toBe(listed.length);
    expect(new Set(listed)).toEqual(acknowledgedRules());
  });
});
