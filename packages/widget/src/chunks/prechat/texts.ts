/**
 * The pre-chat form's own texts in the widget's languages (the deployment's `title`, `submitLabel`
 * and field labels are the owner's). `{label}` is the field's label. Chosen by the `lang` the
 * widget's root carries (the language the runtime answered), English otherwise.
 */
export interface PreChatTexts {
  title: string;
  submit: string;
  note: string;
  choose: string;
  required: string;
  email: string;
  tel: string;
  /** What ends a sentence. */
  stop: string;
}

const TEXTS: Record<string, PreChatTexts> = {
  en: {
    title: 'Before we start',
    submit: 'Start chat',
    note: 'Fields marked * are required.',
    choose: 'Choose…',
    required: '{label} is required',
    email: '{label} must be an email address, like name@example.com',
    tel: '{label} must be a phone number',
    stop: '.',
  },
  es: {
    title: 'Antes de empezar',
    submit: 'Iniciar chat',
    note: 'Los campos marcados con * son obligatorios.',
    choose: 'Elige…',
    required: '{label}: es obligatorio',
    email: '{label}: debe ser una dirección de correo, como nombre@ejemplo.com',
    tel: '{label}: debe ser un número de teléfono',
    stop: '.',
  },
  fr: {
    title: 'Avant de commencer',
    submit: 'Démarrer la discussion',
    note: 'Les champs marqués d’un * sont obligatoires.',
    choose: 'Choisir…',
    required: '{label} : obligatoire',
    email: '{label} : doit être une adresse e-mail, comme nom@exemple.com',
    tel: '{label} : doit être un numéro de téléphone',
    stop: '.',
  },
  de: {
    title: 'Bevor wir beginnen',
    submit: 'Chat starten',
    note: 'Mit * markierte Felder sind Pflichtfelder.',
    choose: 'Bitte wählen…',
    required: '{label}: Pflichtfeld',
    email: '{label}: muss eine E-Mail-Adresse sein, z. B. name@beispiel.de',
    tel: '{label}: muss eine Telefonnummer sein',
    stop: '.',
  },
  pt: {
    title: 'Antes de começarmos',
    submit: 'Iniciar conversa',
    note: 'Os campos marcados com * são obrigatórios.',
    choose: 'Escolha…',
    required: '{label}: obrigatório',
    email: '{label}: deve ser um endereço de e-mail, como nome@exemplo.com',
    tel: '{label}: deve ser um número de telefone',
    stop: '.',
  },
  it: {
    title: 'Prima di iniziare',
    submit: 'Inizia la chat',
    note: 'I campi contrassegnati con * sono obbligatori.',
    choose: 'Scegli…',
    required: '{label}: obbligatorio',
    email: '{label}: deve essere un indirizzo email, come nome@esempio.it',
    tel: '{label}: deve essere un numero di telefono',
    stop: '.',
  },
  nl: {
    title: 'Voordat we beginnen',
    submit: 'Chat starten',
    note: 'Velden met een * zijn verplicht.',
    choose: 'Kies…',
    required: '{label}: verplicht',
    email: '{label}: moet een e-mailadres zijn, zoals naam@voorbeeld.nl',
    tel: '{label}: moet een telefoonnummer zijn',
    stop: '.',
  },
  zh: {
    title: '开始之前',
    submit: '开始聊天',
    note: '标有 * 的字段为必填项。',
    choose: '请选择…',
    required: '{label}：必填',
    email: '{label}：必须是电子邮件地址，例如 name@example.com',
    tel: '{label}：必须是电话号码',
    stop: '。',
  },
  ja: {
    title: 'はじめる前に',
    submit: 'チャットを開始',
    note: '* の付いた項目は必須です。',
    choose: '選択してください…',
    required: '{label}：必須です',
    email: '{label}：name@example.com のようなメールアドレスを入力してください',
    tel: '{label}：電話番号を入力してください',
    stop: '。',
  },
  ar: {
    title: 'قبل أن نبدأ',
    submit: 'ابدأ المحادثة',
    note: 'الحقول المميزة بـ * مطلوبة.',
    choose: 'اختر…',
    required: '{label}: مطلوب',
    email: '{label}: يجب أن يكون عنوان بريد إلكتروني، مثل name@example.com',
    tel: '{label}: يجب أن يكون رقم هاتف',
    stop: '.',
  },
  he: {
    title: 'לפני שנתחיל',
    submit: 'התחלת צ׳אט',
    note: 'שדות המסומנים ב-* הם שדות חובה.',
    choose: 'בחירה…',
    required: '{label}: שדה חובה',
    email: '{label}: חייב להיות כתובת דוא״ל, למשל name@example.com',
    tel: '{label}: חייב להיות מספר טלפון',
    stop: '.',
  },
};

export const preChatTexts = (lang: string | null | undefined): PreChatTexts => TEXTS[String(lang || 'en').split('-')[0]!.toLowerCase()] || TEXTS.en!;
