const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relative = typeof Intl.RelativeTimeFormat === 'function' ? new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }) : null;

const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Infinity],
];

export function toDate(value: number | string | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function relativeTime(date: Date, now = Date.now()): string {
  let amount = (date.getTime() - now) / 1000;
  if (!relative) return absolute.format(date);
  for (const [unit, size] of STEPS) {
    if (Math.abs(amount) < size) return relative.format(Math.round(amount), unit);
    amount /= size;
  }
  return absolute.format(date);
}

/** A time in the viewer's time zone: relative text, the absolute date and time as its title. */
export function Time(props: { value: number | string | null | undefined; empty?: string }) {
  const date = toDate(props.value);
  if (!date) return <span>{props.empty ?? '—'}</span>;
  return (
    <time dateTime={date.toISOString()} title={absolute.format(date)}>
      {relativeTime(date)}
    </time>
  );
}
