import {
  WEEKDAYS,
  compileWorkflowKeyword,
  compileWorkflowRegex,
  minutesOfDay,
  type BusinessHours,
  type WorkflowConditions,
  type WorkflowDefinition,
  type WorkflowTarget,
  type Weekday,
  type TextPattern,
} from '@switchboard/core';

/** What a rule looks at: the contact's message, the contact's attributes, and the moment it arrived. */
export interface RoutingInput {
  text: string;
  /** Contact attributes (`language`, `plan`, …). */
  attributes: Record<string, string>;
  now: Date;
}

/** Who gets the conversation, and which rule (its index in `rules`) or the fallback chose. */
export type RoutingDecision =
  | { kind: 'agent'; agentId: string; rule: number | 'fallback' }
  | { kind: 'team'; teamId: string; rule: number | 'fallback' };

// ── local time ──────────────────────────────────────────────────────────────

const formatters = new Map<string, Intl.DateTimeFormat>();
const SHORT_DAYS: Record<string, Weekday> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The day of the week and the minutes since midnight of an instant, on the wall clock of a time zone. */
export function localTime(now: Date, timeZone: string): { day: Weekday; minutes: number } {
  const parts = formatterFor(timeZone).formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const day = SHORT_DAYS[part('weekday')];
  if (!day) throw new RangeError(`Unexpected weekday from Intl: ${part('weekday')}`);
  return { day, minutes: (Number(part('hour')) % 24) * 60 + Number(part('minute')) };
}

function previousDay(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7]!;
}

/**
 * True while the hours are open at `now`, whatever `inside` says. Open from `start` (included)
 * to `end` (excluded) on each listed day, in local time; when `end` is not after `start` the span
 * crosses midnight and belongs to the day it starts on: `fri` 22:00–06:00 is open from Friday
 * 22:00 to Saturday 06:00, not on Friday morning.
 */
export function isOpen(hours: BusinessHours, now: Date): boolean {
  const { day, minutes } = localTime(now, hours.timeZone);
  const start = minutesOfDay(hours.start);
  const end = minutesOfDay(hours.end);
  const listed = (d: Weekday) => hours.days.includes(d);
  if (start < end) return listed(day) && minutes >= start && minutes < end;
  return (listed(day) && minutes >= start) || (listed(previousDay(day)) && minutes < end);
}

// ── conditions ──────────────────────────────────────────────────────────────

const MAX_CACHED_PATTERNS = 1000;
const patterns = new Map<string, TextPattern>();

function cachedPattern(key: string, compile: () => TextPattern): TextPattern {
  let pattern = patterns.get(key);
  if (!pattern) {
    if (patterns.size >= MAX_CACHED_PATTERNS) patterns.delete(patterns.keys().next().value!);
    pattern = compile();
    patterns.set(key, pattern);
  }
  return pattern;
}

/** The primary subtag of a language tag, lower-case: `fr` of `fr-CA`, `zh` of `zh_Hant_TW`. */
export function primaryLanguage(tag: string): string {
  return tag.trim().split(/[-_]/)[0]!.toLowerCase();
}

function attribute(attributes: Record<string, string>, name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(attributes, name) ? attributes[name] : undefined;
}

/** True when every condition present holds; an empty `when` always holds. */
export function matchesConditions(when: WorkflowConditions, input: RoutingInput): boolean {
  if (when.businessHours) {
    let open: boolean;
    try {
      open = isOpen(when.businessHours, input.now);
    } catch {
      return false; // a time zone this runtime does not know: the rule cannot be decided, so it does not match
    }
    if (open !== when.businessHours.inside) return false;
  }
  if (when.keywords && !when.keywords.some((keyword) => cachedPattern(`k:${keyword}`, () => compileWorkflowKeyword(keyword)).test(input.text))) {
    return false;
  }
  if (when.regex !== undefined) {
    const source = when.regex;
    let pattern: TextPattern;
    try {
      pattern = cachedPattern(`r:${source}`, () => compileWorkflowRegex(source));
    } catch {
      return false;
    }
    if (!pattern.test(input.text)) return false;
  }
  if (when.languages) {
    const language = attribute(input.attributes, 'language');
    if (language === undefined || !when.languages.includes(primaryLanguage(language))) return false;
  }
  if (when.attribute && attribute(input.attributes, when.attribute.name) !== when.attribute.equals) return false;
  return true;
}

function decide(target: WorkflowTarget, rule: number | 'fallback'): RoutingDecision {
  return 'agentId' in target ? { kind: 'agent', agentId: target.agentId, rule } : { kind: 'team', teamId: target.teamId, rule };
}

/** Tries the rules in order: the first whose conditions all hold chooses; none does, the fallback. */
export function evaluateWorkflow(definition: WorkflowDefinition, input: RoutingInput): RoutingDecision {
  for (const [index, rule] of definition.rules.entries()) {
    if (matchesConditions(rule.when ?? {}, input)) return decide(rule.then, index);
  }
  return decide(definition.fallback, 'fallback');
}
