import { compileScriptedRule, type AgentBackendType, type ScriptedRule, type TextPattern } from '@switchboard/core';
import type { AgentBackendHandler, BackendFor } from './backend.js';

/** Compiled rules, kept per rule object: an agent's stored rules are parsed once per load, and compiling is cheap anyway. */
const compiled = new WeakMap<ScriptedRule, TextPattern>();
const NEVER: TextPattern = { test: () => false };

function patternOf(rule: ScriptedRule): TextPattern {
  let pattern = compiled.get(rule);
  if (!pattern) {
    try {
      pattern = compileScriptedRule(rule);
    } catch {
      // Saved before patterns ran on RE2 (a backreference or lookaround): the rule never matches.
      pattern = NEVER;
    }
    compiled.set(rule, pattern);
  }
  return pattern;
}

/**
 * The reply (with its quick replies) of the first rule, in order, that matches `text`; else the
 * fallback. See `compileScriptedRule` for the matching.
 */
export function scriptedAnswer(
  backend: { rules: ScriptedRule[]; fallback: string; fallbackQuickReplies?: string[] | undefined },
  text: string,
): { reply: string; quickReplies?: string[] | undefined } {
  for (const rule of backend.rules) {
    if (patternOf(rule).test(text)) return { reply: rule.reply, quickReplies: rule.quickReplies };
  }
  return { reply: backend.fallback, quickReplies: backend.fallbackQuickReplies };
}

/** Ordered keyword / regular-expression rules with a fallback. */
export const scriptedBackend: AgentBackendHandler<BackendFor<AgentBackendType.SCRIPTED>> = {
  async respond({ backend, input }) {
    const { reply, quickReplies } = scriptedAnswer(backend, input.text);
    return { kind: 'text', text: reply, ...(quickReplies?.length && { quickReplies }) };
  },
};
