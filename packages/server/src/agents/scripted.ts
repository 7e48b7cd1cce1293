import { compileScriptedRule, type AgentBackendType, type ScriptedRule } from '@switchboard/core';
import type { AgentBackendHandler, BackendFor } from './backend.js';

/** Compiled rules, kept per rule object: an agent's stored rules are parsed once per load, and compiling is cheap anyway. */
const compiled = new WeakMap<ScriptedRule, RegExp>();

function regexOf(rule: ScriptedRule): RegExp {
  let regex = compiled.get(rule);
  if (!regex) {
    regex = compileScriptedRule(rule);
    compiled.set(rule, regex);
  }
  return regex;
}

/** The reply of the first rule, in order, that matches `text`; else the fallback. See `compileScriptedRule` for the matching. */
export function scriptedReply(backend: { rules: ScriptedRule[]; fallback: string }, text: string): string {
  for (const rule of backend.rules) {
    if (regexOf(rule).test(text)) return rule.reply;
  }
  return backend.fallback;
}

/** Ordered keyword / regular-expression rules with a fallback. */
export const scriptedBackend: AgentBackendHandler<BackendFor<AgentBackendType.SCRIPTED>> = {
  async respond({ backend, input }) {
    return { kind: 'text', text: scriptedReply(backend, input.text) };
  },
};
