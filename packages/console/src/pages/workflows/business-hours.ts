export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const DAY_NAMES: Record<string, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

export interface DayRow {
  day: string;
  open: boolean;
  start: string;
  end: string;
}
export type Target = { agentId: string } | { teamId: string };

export interface Rule {
  name?: string;
  when: { businessHours?: { timeZone: string; days: string[]; start: string; end: string; inside?: boolean } } & Record<string, unknown>;
  then: Target;
}

export const defaultRows = (): DayRow[] => WEEKDAYS.map((day) => ({ day, open: !['sat', 'sun'].includes(day), start: '09:00', end: '17:00' }));

/** Open days with the same hours become one rule; closed days and other times fall to the fallback. */
export function toRules(rows: DayRow[], timeZone: string, open: Target): Rule[] {
  const groups = new Map<string, string[]>();
  for (const row of rows) {
    if (!row.open) continue;
    const key = `${row.start}-${row.end}`;
    groups.set(key, [...(groups.get(key) ?? []), row.day]);
  }
  return [...groups.entries()].map(([key, days]) => {
    const [start, end] = key.split('-') as [string, string];
    return { name: `Open ${days.join(', ')} ${start}–${end}`, when: { businessHours: { timeZone, days, start, end, inside: true } }, then: open };
  });
}

/** Reads back a definition made by toRules; null when its rules are something else. */
export function fromRules(rules: Rule[]): { rows: DayRow[]; timeZone: string; open: Target | null } | null {
  const rows = defaultRows().map((row) => ({ ...row, open: false }));
  let timeZone = '';
  let open: Target | null = null;
  for (const rule of rules) {
    const hours = rule.when.businessHours;
    if (!hours || Object.keys(rule.when).length !== 1 || hours.inside === false) return null;
    timeZone = hours.timeZone;
    open = rule.then;
    for (const day of hours.days) {
      const row = rows.find((entry) => entry.day === day);
      if (row) Object.assign(row, { open: true, start: hours.start, end: hours.end });
    }
  }
  return { rows, timeZone, open };
}

export const targetKey = (target: Target | null) => (!target ? '' : 'agentId' in target ? `agent:${target.agentId}` : `team:${target.teamId}`);
export const fromKey = (key: string): Target | undefined =>
  key.startsWith('agent:') ? { agentId: key.slice(6) } : key.startsWith('team:') ? { teamId: key.slice(5) } : undefined;
