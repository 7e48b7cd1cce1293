import { z } from 'zod';
import { PhoneProvider } from '../enums.js';
import { caseInsensitiveEnum, e164Schema, idSchema, nameSchema } from './common.js';

const providers = Object.values(PhoneProvider) as [PhoneProvider, ...PhoneProvider[]];

export const phoneConfigurationRequestSchema = z.strictObject({
  phoneNumber: e164Schema,
  provider: caseInsensitiveEnum(providers, { signalwire: PhoneProvider.SIGNAL_WIRE, SIGNALWIRE: PhoneProvider.SIGNAL_WIRE }),
  friendlyName: nameSchema.optional(),
  /** The Twilio connection (`conn_…`) whose webhooks and API carry this number's calls and messages. */
  connectionId: idSchema.optional(),
});
export type PhoneConfigurationRequest = z.input<typeof phoneConfigurationRequestSchema>;
export type ParsedPhoneConfigurationRequest = z.output<typeof phoneConfigurationRequestSchema>;

export const phoneConfigurationUpdateSchema = z.strictObject({
  id: idSchema.optional(),
  friendlyName: nameSchema.nullable().describe('null removes the name'),
});
export type PhoneConfigurationUpdateRequest = z.input<typeof phoneConfigurationUpdateSchema>;
export type ParsedPhoneConfigurationUpdate = z.output<typeof phoneConfigurationUpdateSchema>;

/** WIIL's phone status: which channel types use the number. */
export enum PhoneStatus {
  /** A calls channel and an sms channel use it. */
  ACTIVE = 'ACTIVE',
  /** No channel uses it. */
  INACTIVE = 'INACTIVE',
  SMS_ACTIVE = 'SMS_ACTIVE',
  CALL_ACTIVE = 'CALL_ACTIVE',
}
export const PHONE_STATUSES = Object.values(PhoneStatus) as [PhoneStatus, ...PhoneStatus[]];

export function phoneStatusOf(voiceChannelId: string | null, smsChannelId: string | null): PhoneStatus {
  if (voiceChannelId && smsChannelId) return PhoneStatus.ACTIVE;
  if (voiceChannelId) return PhoneStatus.CALL_ACTIVE;
  return smsChannelId ? PhoneStatus.SMS_ACTIVE : PhoneStatus.INACTIVE;
}

/**
 * A registered phone number, in Switchboard's words and WIIL's. Switchboard registers numbers
 * bought elsewhere, so WIIL's purchase fields say so: `isImported` true, `isPorted` and
 * `markedForRelease` false, `providerPhoneNumberId` and `phoneRequestId` null.
 */
export interface PhoneConfiguration {
  id: string;
  phoneNumber: string;
  provider: PhoneProvider;
  /** WIIL name of `provider`. */
  providerType: PhoneProvider;
  friendlyName: string | null;
  /** Derived from the channels that use the number. */
  status: PhoneStatus;
  voiceChannelId: string | null;
  smsChannelId: string | null;
  connectionId: string | null;
  isImported: boolean;
  isPorted: boolean;
  markedForRelease: boolean;
  /** WIIL's US A2P 10DLC flag: Switchboard does not know it, so false. */
  isUSSMSPermitted: boolean;
  providerPhoneNumberId: string | null;
  phoneRequestId: string | null;
  createdAt: number;
  updatedAt: number;
}
