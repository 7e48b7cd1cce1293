import type { ProviderDefinition } from './adapter.js';
import { emailProvider } from './email/index.js';
import { lineProvider } from './line/index.js';
import { metaProvider } from './meta/index.js';
import { telegramProvider } from './telegram/index.js';
import { twilioProvider } from './twilio/index.js';
import { voiceGatewayProvider } from './voice-gateway/index.js';
import { webhookProvider } from './webhook/index.js';
import { wechatProvider } from './wechat/index.js';
import { wecomProvider } from './wecom/index.js';

/** Providers by name. Connections of providers without an entry (helpdesks) keep free-form settings. */
export type ProviderRegistry = ReadonlyMap<string, ProviderDefinition>;

export const builtInProviders: ProviderRegistry = new Map<string, ProviderDefinition>(
  [twilioProvider, metaProvider, lineProvider, wechatProvider, wecomProvider, telegramProvider, emailProvider, webhookProvider, voiceGatewayProvider].map(
    (definition) => [definition.adapter.provider, definition],
  ),
);
