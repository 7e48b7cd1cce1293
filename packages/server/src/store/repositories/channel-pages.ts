/**
 * One page of a workspace's channels (all of them, or one type) and its total, as plain SQL run
 * without building it through Kysely (docs/performance.md, "Where hot paths bypass Kysely"). The
 * total sums the workspace's counters (store/channel-count-slots.ts), their change count with it.
 * A page is read from its remembered position when that count has not moved since
 * (store/list-positions.ts), else by OFFSET, one row earlier than the page so that its position is
 * learnt; the page's last row is the next page's position.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { paginationMeta, type DeploymentChannel, type DeploymentType, type PaginatedResult } from '@switchboard/core';
import type { DB } from '../schema.js';
import { numberedPlaceholders } from '../fixed-sql.js';
import { listPositions, pageKey, type ListPosition } from '../list-positions.js';
import { synchronousReader } from '../synchronous-reads.js';
import { SELECT_ANSWER, channelFromValues, toDeploymentChannel, type AnswerRow, type AnswerValues } from './channel-rows.js';

const TOTAL = (typed: boolean) =>
  `select sum("count") as "total", sum("changes") as "changes" from "channel_counts" where "workspace_id" = ?${typed ? ' and "deployment_type" = ?' : ''}`;
const FILTER = (typed: boolean) => `${SELECT_ANSWER} where "workspace_id" = ?${typed ? ' and "deployment_type" = ?' : ''}`;
const ORDER = 'order by "created_at", "id"';
const BY_OFFSET = (typed: boolean) => `${FILTER(typed)} ${ORDER} limit ? offset ?`;
const AFTER_POSITION = (typed: boolean) => `${FILTER(typed)} and ("created_at", "id") > (?, ?) ${ORDER} limit ?`;

/** SQLite: the total, then the page, both read at once while the connection is idle. */
const SQLITE = {
  total: [TOTAL(false), TOTAL(true)],
  byOffset: [BY_OFFSET(false), BY_OFFSET(true)],
  afterPosition: [AFTER_POSITION(false), AFTER_POSITION(true)],
} as const;

/**
 * PostgreSQL: the total's single row joined to the page's rows (none: one row of nulls), so one
 * round trip reading one snapshot. From a position, the page joins only if the change count is
 * still the one the position was read under.
 */
const POSTGRES = {
  byOffset: [false, true].map((typed) =>
    numberedPlaceholders(`select "t".*, "c".* from (${TOTAL(typed)}) as "t" left join (${BY_OFFSET(typed)}) as "c" on true order by "c"."created_at", "c"."id"`),
  ),
  afterPosition: [false, true].map((typed) =>
    numberedPlaceholders(
      `select "t".*, "c".* from (${TOTAL(typed)}) as "t" left join (${AFTER_POSITION(typed)}) as "c" on "t"."changes" = ? order by "c"."created_at", "c"."id"`,
    ),
  ),
} as const;

interface Totals {
  total: number | string | null;
  changes: number | string | null;
}

/** What a page read hands back before it becomes channels: its rows, and the row just before it when read by OFFSET. */
interface PageRead<Row> {
  rows: Row[];
  before?: Row;
}

/** The page, or undefined when it must be read through Kysely (SQLite, inside a transaction). */
export async function readChannelPage(
  db: Kysely<DB>,
  workspaceId: string,
  page: number,
  pageSize: number,
  type: DeploymentType | undefined,
): Promise<PaginatedResult<DeploymentChannel> | undefined> {
  const typed = type === undefined ? 0 : 1;
  const filter = typed ? [workspaceId, type] : [workspaceId];
  const skip = (page - 1) * pageSize;
  // One row before the page, whose (created_at, id) is where the page starts.
  const lead = skip > 0 ? 1 : 0;
  const byOffset = [...filter, pageSize + lead, skip - lead];
  const positions = listPositions(db);
  const key = (n: number) => pageKey(workspaceId, type, pageSize, n);
  const afterPosition = (position: ListPosition) => [...filter, position.createdAt, position.id, pageSize];
  const remember = <Row>(read: PageRead<Row>, changes: string, positionOf: (row: Row) => [number, string]) => {
    if (read.before) positions.remember(key(page), at(changes, positionOf(read.before)));
    if (read.rows.length === pageSize) positions.remember(key(page + 1), at(changes, positionOf(read.rows[pageSize - 1]!)));
  };

  const reader = synchronousReader(db);
  if (reader) {
    const totals = reader.selectIfIdle<Totals>(SQLITE.total[typed], filter);
    if (!totals) return undefined;
    const changes = String(totals[0]?.changes ?? 0);
    const position = positions.find(key(page), changes);
    const read: PageRead<AnswerValues> = position
      ? { rows: reader.selectValuesIfIdle(SQLITE.afterPosition[typed], afterPosition(position)) as AnswerValues[] }
      : splitLead(reader.selectValuesIfIdle(SQLITE.byOffset[typed], byOffset) as AnswerValues[], lead);
    remember(read, changes, (row) => [row[6], row[0]]);
    return { data: read.rows.map(channelFromValues), meta: paginationMeta(page, pageSize, Number(totals[0]?.total ?? 0)) };
  }

  type Row = AnswerRow & Totals;
  const run = async (text: string, parameters: unknown[]) => (await db.executeQuery<Row>(CompiledQuery.raw(text, parameters))).rows;
  // Inside a transaction the rows may be uncommitted: no position is used or remembered.
  const remembered = db.isTransaction ? undefined : positions.latest(key(page));
  let rows = remembered && (await run(POSTGRES.afterPosition[typed]!, [...filter, ...afterPosition(remembered), remembered.changes]));
  let read: PageRead<Row>;
  if (rows && String(rows[0]?.changes ?? 0) === remembered!.changes) {
    read = { rows: rows[0]?.id === null ? [] : rows };
  } else {
    rows = await run(POSTGRES.byOffset[typed]!, [...filter, ...byOffset]);
    read = splitLead(rows[0]?.id === null ? [] : rows, lead);
  }
  if (!db.isTransaction) remember(read, String(rows[0]?.changes ?? 0), (row) => [row.created_at, row.id]);
  return { data: read.rows.map(toDeploymentChannel), meta: paginationMeta(page, pageSize, Number(rows[0]?.total ?? 0)) };
}

const at = (changes: string, [createdAt, id]: [number, string]): ListPosition => ({ changes, createdAt, id });

function splitLead<Row>(rows: Row[], lead: number): PageRead<Row> {
  return lead && rows.length > 0 ? { before: rows[0], rows: rows.slice(1) } : { rows };
}
