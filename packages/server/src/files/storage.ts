/**
 * Where attachment bytes live. Two backends share this interface: the local disk under the data
 * directory (the default) and an S3-compatible bucket (S3_BUCKET). Keys are chosen by the server
 * (`<workspaceId>/<attachmentId>`), never by a client, and are checked again by each backend.
 */
import type { Readable } from 'node:stream';

export interface StoredObject {
  size: number;
  /** Hex SHA-256 of the bytes, computed while they streamed in. */
  sha256: string;
}

export interface ObjectStream {
  body: Readable;
  size: number;
  contentType: string;
}

export interface FileStorage {
  readonly kind: 'local' | 's3';
  /**
   * Streams `body` into the object at `key`, refusing (FileTooLargeError, nothing kept) as soon as
   * more than `maxBytes` have arrived. The object appears whole or not at all.
   */
  put(key: string, body: Readable, options: { contentType: string; maxBytes: number }): Promise<StoredObject>;
  /** The object's bytes, or undefined when there is none at `key`. */
  get(key: string): Promise<ObjectStream | undefined>;
  /** Removes the object; removing one that is not there is not an error. */
  delete(key: string): Promise<void>;
}

/** A body that grew past its limit: nothing of it is kept. */
export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than the limit of ${maxBytes} bytes`);
    this.name = 'FileTooLargeError';
  }
}

const KEY_PATTERN = /^[A-Za-z0-9_-]{1,128}(\/[A-Za-z0-9_-]{1,128}){0,3}$/;

/** Throws unless the key is 1–4 segments of letters, digits, '_' and '-' (no dots, so no traversal). */
export function checkKey(key: string): string {
  if (!KEY_PATTERN.test(key)) throw new Error(`Storage key ${JSON.stringify(key.slice(0, 200))} is not 1-4 '/'-separated segments of letters, digits, '_' or '-'`);
  return key;
}
