/** WhatsApp Cloud API webhook payloads as Meta sends them (one message from one contact). */

export interface WhatsAppSender {
  phoneNumberId: string;
  /** What Meta puts in metadata.display_phone_number: the business number without its '+'. */
  displayPhoneNumber?: string;
  /** The contact's wa_id, also the message's `from`. */
  waId?: string;
  name?: string;
}

/** A `whatsapp_business_account` webhook carrying `message` (its `type` and body, id, timestamp) from the contact. */
export function whatsappWebhook(message: Record<string, unknown>, sender: WhatsAppSender) {
  const waId = sender.waId ?? '16505551234';
  const messages: Record<string, unknown>[] = [{ from: waId, timestamp: String(Math.floor(Date.now() / 1000)), ...message }];
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: sender.displayPhoneNumber ?? '12025550123', phone_number_id: sender.phoneNumberId },
              contacts: [{ profile: { name: sender.name ?? 'Sheena Nelson' }, wa_id: waId }],
              messages,
            },
          },
        ],
      },
    ],
  };
}
