import type { ChannelType } from '../../types.js';

/** What each channel type's identifier is, as the API's rules put it. */
export const IDENTIFIER: Record<ChannelType, { label: string; hint: string; placeholder: string }> = {
  calls: { label: 'Phone number', hint: 'E.164, e.g. +12025551234; register it under Phone configurations first.', placeholder: '+12025551234' },
  sms: { label: 'Phone number', hint: 'E.164, e.g. +12025551234; register it under Phone configurations first.', placeholder: '+12025551234' },
  web: { label: 'Site URL', hint: 'An absolute http(s) URL, e.g. https://www.example.com', placeholder: 'https://www.example.com' },
  'mobile-app': { label: 'App id', hint: 'Reverse-DNS, e.g. com.example.app', placeholder: 'com.example.app' },
  whatsapp: { label: 'WhatsApp number', hint: 'E.164, e.g. +12025551234', placeholder: '+12025551234' },
  facebook: { label: 'Facebook page id', hint: 'The numeric id of the page', placeholder: '1234567890' },
  instagram: { label: 'Instagram account id', hint: 'The numeric id of the account', placeholder: '1784…' },
  line: { label: 'LINE bot user id', hint: 'The webhook destination (3-64 letters, digits, _ or -)', placeholder: 'U1234…' },
  wechat: { label: 'Official account id', hint: 'gh_… (3-64 letters, digits, _ or -)', placeholder: 'gh_123456' },
  wecom: { label: 'WeCom corp id', hint: '3-64 letters, digits, _ or -', placeholder: 'ww1234…' },
  telegram: { label: 'Bot username', hint: 'Without @: 5-32 letters, digits or _, starting with a letter', placeholder: 'example_bot' },
  email: { label: 'Email address', hint: 'The address people write to', placeholder: 'support@example.com' },
  webhook: { label: 'Identifier', hint: "1-128 letters, digits, '.', '_', ':' or '-'", placeholder: 'my-app' },
  'voice-gateway': { label: 'Identifier', hint: "1-128 letters, digits, '+', '.', '_', ':' or '-'", placeholder: 'gateway-1' },
};

export const PHONE_TYPES: readonly ChannelType[] = ['calls', 'sms'];
export const PROVIDER_TYPES: readonly ChannelType[] = ['whatsapp', 'facebook', 'instagram', 'line', 'wechat', 'wecom', 'telegram', 'email', 'webhook', 'voice-gateway'];
