/** Rows per INSERT of `switchboard migrate-data` unless --batch-size says otherwise (apart from migrate-data.ts, so the CLI's option list does not load pg). */
export const DEFAULT_BATCH_SIZE = 500;
