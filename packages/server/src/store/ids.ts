import { customAlphabet } from 'nanoid';
import { ID_PREFIX, type IdKind } from '@switchboard/core';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const randomId = customAlphabet(BASE62, 16);

/** A new id with its type prefix, e.g. `chan_3fA9…`. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIX[kind]}_${randomId()}`;
}

export const randomBase62 = (length: number) => customAlphabet(BASE62, length)();
