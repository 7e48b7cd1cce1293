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
  friendlyName: nameSchema,
});
export type PhoneConfigurationUpdateRequest = z.input<typeof phoneConfigurationUpdateSchema>;
export type ParsedPhoneConfigurationUpdate = z.output<typeof phoneConfigurationUpdateSchema>;

export interface PhoneConfiguration {
  id: string;
  phoneNumber: string;
  provider: PhoneProvider;
  friendlyName: string | null;
  voiceChannelId: string | null;
  smsChannelId: string | null;
  connectionId: string | null;
  createdAt: number;
  updatedAt: number;
}
