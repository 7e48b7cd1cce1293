import {
  phoneConfigurationRequestSchema,
  phoneConfigurationUpdateSchema,
  type PaginatedResult,
  type PhoneConfiguration,
  type PhoneConfigurationRequest,
  type PhoneConfigurationUpdateRequest,
} from '@switchboard/core';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { assertValid, requireId, splitUpdate } from '../validation.js';

/** The new friendly name of phone configuration `id`. */
export type UpdatePhoneConfigurationRequest = PhoneConfigurationUpdateRequest & { id: string };

/** Phone configurations: the numbers bought from a telephony provider that phone and SMS channels use. */
export class PhoneConfigurationsResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Registers a phone number (E.164, e.g. `+12025551234`) with its provider.
   * @throws ValidationError before sending when a rule is broken.
   */
  async create(request: PhoneConfigurationRequest): Promise<PhoneConfiguration> {
    assertValid(phoneConfigurationRequestSchema, request);
    return this.#http.request({ method: 'POST', path: '/phone-configurations', body: request });
  }

  /** Fetches a phone configuration by id. @throws NotFoundError when it does not exist. */
  async get(id: string): Promise<PhoneConfiguration> {
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/phone-configurations/${id}` });
  }

  /** Finds the phone configuration of an E.164 number. */
  async getByPhoneNumber(phoneNumber: string): Promise<PhoneConfiguration> {
    requireId(phoneNumber, 'phoneNumber');
    return this.#http.request({ method: 'GET', path: apiPath`/phone-configurations/by-phone-number/${phoneNumber}` });
  }

  /** Lists phone configurations one page at a time. */
  async list(params?: PaginationParams): Promise<PaginatedResult<PhoneConfiguration>> {
    return this.#http.requestPage({ method: 'GET', path: '/phone-configurations', query: paginationQuery(params) });
  }

  /** Renames a phone configuration (the number and provider cannot change). */
  async update(request: UpdatePhoneConfigurationRequest): Promise<PhoneConfiguration> {
    const { id, fields } = splitUpdate(phoneConfigurationUpdateSchema, request);
    return this.#http.request({ method: 'PATCH', path: apiPath`/phone-configurations/${id}`, body: fields });
  }

  /** Deletes a phone configuration. @returns true once deleted. */
  async delete(id: string): Promise<boolean> {
    requireId(id);
    const deleted = await this.#http.request<boolean | undefined>({ method: 'DELETE', path: apiPath`/phone-configurations/${id}` });
    return deleted !== false;
  }
}
