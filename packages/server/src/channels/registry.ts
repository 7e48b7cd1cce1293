import type { ProviderDefinition } from './adapter.js';
import { metaProvider } from './meta/index.js';
import { telegramProvider } from './telegram/index.js';
import { twilioProvider } from './twilio/index.js';

/** Providers by name. Connections of providers without an entry (helpdesks) keep free-form settings. */
export type ProviderRegistry = ReadonlyMap<string, ProviderDefinition>;

export const builtInProviders: ProviderRegistry = new Map<string, ProviderDefinition>([twilioProvider, metaProvider, telegramProvider].map((definition) => [definition.adapter.provider, definition]));
