import type { PaginatedResult } from '@switchboard/core';
import { ValidationError } from '../errors.js';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { requireId } from '../validation.js';

/** Someone a conversation is with: a widget visitor, a phone number, a WhatsApp user… */
export interface Contact {
  id: string;
  channelId: string;
  /** The provider's id of the contact, or (a widget visitor verified by `identify`) your user id. */
  externalId: string | null;
  displayName: string | null;
  /** Attributes (language, email, plan…) that workflow rules test. */
  attributes: Record<string, string>;
  createdAt: number;
  lastSeenAt: number;
}

/** An event the site recorded about a contact with the widget's `track(event, data)`. */
export interface ContactEvent {
  id: string;
  contactId: string;
  webDeploymentId: string | null;
  name: string;
  data: Record<string, string | number | boolean | null> | null;
  createdAt: number;
}

const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** Contacts: who conversations are with, their attributes, and the events a site tracked about them. */
export class ContactsResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /** Fetches contact `id` with its attributes. @throws NotFoundError when it does not exist. */
  async get(id: string): Promise<Contact> {
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/contacts/${id}` });
  }

  /**
   * Merges `attributes` into contact `id`'s; a null value removes one.
   * @throws ValidationError before sending when a name is not 1-64 letters, digits, `_ . -` (starting with a letter).
   */
  async setAttributes(id: string, attributes: Record<string, string | null>): Promise<Contact> {
    requireId(id);
    const bad = Object.keys(attributes).filter((name) => !ATTRIBUTE_NAME.test(name));
    if (bad.length > 0) {
      throw new ValidationError(bad.map((name) => ({ field: `attributes.${name}`, message: 'attribute names are 1-64 letters, digits, _ . or -' })));
    }
    return this.#http.request({ method: 'PATCH', path: apiPath`/contacts/${id}`, body: { attributes } });
  }

  /** The events the site tracked about contact `id` (the widget's `track`), oldest first, one page at a time. */
  async events(id: string, params?: PaginationParams): Promise<PaginatedResult<ContactEvent>> {
    requireId(id);
    return this.#http.requestPage({ method: 'GET', path: apiPath`/contacts/${id}/events`, query: paginationQuery(params) });
  }
}
