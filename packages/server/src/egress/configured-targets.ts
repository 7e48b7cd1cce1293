/**
 * Configuration-time checks: a target written as a literal address (or `localhost`) that the
 * egress policy refuses is rejected when it is saved, naming the field. Host names are judged
 * again on every connection, after DNS, by the egress fetch.
 */
import type { FieldIssue } from '@switchboard/core';
import { invalid } from '../http/errors.js';
import type { EgressPolicy } from './policy.js';

export interface ConfiguredTarget {
  field: string;
  value: unknown;
}

/** One issue per target the policy refuses. */
export function targetIssues(policy: EgressPolicy, targets: readonly ConfiguredTarget[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const { field, value } of targets) {
    if (typeof value !== 'string' || value === '') continue;
    const refusal = policy.refusalForTarget(value);
    if (refusal) issues.push({ field, message: refusal });
  }
  return issues;
}

/** Throws a 400 listing every refused target; does nothing when all may be called. */
export function assertTargetsAllowed(policy: EgressPolicy, targets: readonly ConfiguredTarget[]): void {
  const issues = targetIssues(policy, targets);
  if (issues.length > 0) throw invalid(issues);
}

/** Settings that name where a connection sends: every `…Url`, the SMTP host and a helpdesk instance host. */
const HOST_SETTINGS = new Set(['smtpHost', 'instance']);

export function connectionTargets(settings: Record<string, unknown>, apiBaseUrl: unknown): ConfiguredTarget[] {
  const targets: ConfiguredTarget[] = [{ field: 'apiBaseUrl', value: apiBaseUrl }];
  for (const [name, value] of Object.entries(settings)) {
    if (/url$/i.test(name) || HOST_SETTINGS.has(name)) targets.push({ field: `settings.${name}`, value });
  }
  return targets;
}
