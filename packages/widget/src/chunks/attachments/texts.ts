/**
 * What the attachments chunk tells a visitor whose file was not sent, in the widget's languages.
 * `{name}` is the file's name; `{types}` the types the deployment takes; `{size}` and `{max}` sizes;
 * `{reason}` the server's own words. Chosen by the `lang` the widget's root carries (the language
 * the runtime answered), English otherwise.
 */
export interface AttachmentTexts {
  type: string;
  size: string;
  offline: string;
  refused: string;
  network: string;
}

const TEXTS: Record<string, AttachmentTexts> = {
  en: {
    type: '{name} was not sent: files of this type cannot be sent here ({types}).',
    size: '{name} was not sent: it is {size}, and files of at most {max} can be sent here.',
    offline: '{name} was not sent: the chat is not connected.',
    refused: '{name} was not sent: {reason}',
    network: '{name} was not sent: check your connection and try again.',
  },
  es: {
    type: '{name} no se envió: aquí no se pueden enviar archivos de este tipo ({types}).',
    size: '{name} no se envió: ocupa {size} y aquí solo se pueden enviar archivos de hasta {max}.',
    offline: '{name} no se envió: el chat no está conectado.',
    refused: '{name} no se envió: {reason}',
    network: '{name} no se envió: comprueba tu conexión y vuelve a intentarlo.',
  },
  fr: {
    type: "{name} n'a pas été envoyé : les fichiers de ce type ne peuvent pas être envoyés ici ({types}).",
    size: "{name} n'a pas été envoyé : il fait {size}, et seuls les fichiers d'au plus {max} peuvent être envoyés ici.",
    offline: "{name} n'a pas été envoyé : le chat n'est pas connecté.",
    refused: "{name} n'a pas été envoyé : {reason}",
    network: "{name} n'a pas été envoyé : vérifiez votre connexion et réessayez.",
  },
  de: {
    type: '{name} wurde nicht gesendet: Dateien dieses Typs können hier nicht gesendet werden ({types}).',
    size: '{name} wurde nicht gesendet: Die Datei ist {size} groß, hier können Dateien bis {max} gesendet werden.',
    offline: '{name} wurde nicht gesendet: Der Chat ist nicht verbunden.',
    refused: '{name} wurde nicht gesendet: {reason}',
    network: '{name} wurde nicht gesendet: Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
  },
  pt: {
    type: '{name} não foi enviado: não é possível enviar ficheiros deste tipo aqui ({types}).',
    size: '{name} não foi enviado: tem {size}, e aqui só podem ser enviados ficheiros até {max}.',
    offline: '{name} não foi enviado: o chat não está ligado.',
    refused: '{name} não foi enviado: {reason}',
    network: '{name} não foi enviado: verifique a sua ligação e tente novamente.',
  },
  it: {
    type: '{name} non è stato inviato: qui non si possono inviare file di questo tipo ({types}).',
    size: '{name} non è stato inviato: è di {size}, e qui si possono inviare file fino a {max}.',
    offline: '{name} non è stato inviato: la chat non è connessa.',
    refused: '{name} non è stato inviato: {reason}',
    network: '{name} non è stato inviato: controlla la connessione e riprova.',
  },
  nl: {
    type: '{name} is niet verzonden: bestanden van dit type kunnen hier niet worden verzonden ({types}).',
    size: '{name} is niet verzonden: het is {size}, en hier kunnen bestanden van hoogstens {max} worden verzonden.',
    offline: '{name} is niet verzonden: de chat is niet verbonden.',
    refused: '{name} is niet verzonden: {reason}',
    network: '{name} is niet verzonden: controleer je verbinding en probeer het opnieuw.',
  },
  zh: {
    type: '{name} 未发送：此处不能发送这种类型的文件（{types}）。',
    size: '{name} 未发送：文件大小为 {size}，此处只能发送不超过 {max} 的文件。',
    offline: '{name} 未发送：聊天未连接。',
    refused: '{name} 未发送：{reason}',
    network: '{name} 未发送：请检查网络连接后重试。',
  },
  ja: {
    type: '{name} は送信されませんでした：この種類のファイルはここでは送信できません（{types}）。',
    size: '{name} は送信されませんでした：サイズは {size} です。ここで送信できるのは {max} までのファイルです。',
    offline: '{name} は送信されませんでした：チャットが接続されていません。',
    refused: '{name} は送信されませんでした：{reason}',
    network: '{name} は送信されませんでした：接続を確認して、もう一度お試しください。',
  },
  ar: {
    type: 'لم يُرسل {name}: لا يمكن إرسال ملفات من هذا النوع هنا ({types}).',
    size: 'لم يُرسل {name}: حجمه {size}، ولا يمكن هنا إرسال ملفات يزيد حجمها على {max}.',
    offline: 'لم يُرسل {name}: الدردشة غير متصلة.',
    refused: 'لم يُرسل {name}: {reason}',
    network: 'لم يُرسل {name}: تحقق من اتصالك وحاول مرة أخرى.',
  },
  he: {
    type: '{name} לא נשלח: לא ניתן לשלוח כאן קבצים מסוג זה ({types}).',
    size: '{name} לא נשלח: גודלו {size}, וכאן ניתן לשלוח קבצים של עד {max}.',
    offline: '{name} לא נשלח: הצ׳אט אינו מחובר.',
    refused: '{name} לא נשלח: {reason}',
    network: '{name} לא נשלח: בדקו את החיבור ונסו שוב.',
  },
};

/** The texts for `lang` (its base language), English otherwise. */
export const attachmentTexts = (lang: string | null | undefined): AttachmentTexts => TEXTS[String(lang || 'en').split('-')[0]!.toLowerCase()] || TEXTS.en!;

/** `template` with each `{key}` replaced by its value. */
export const fill = (template: string, values: Record<string, string>): string => template.replace(/\{(\w+)\}/g, (match, key: string) => (key in values ? values[key]! : match));
