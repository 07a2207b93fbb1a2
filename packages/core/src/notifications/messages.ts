/**
 * What every message says, in Brazilian Portuguese (the default) and English (by the recipient's
 * language). Each has a plain-text and an HTML part built from the same paragraphs; every value is
 * escaped in the HTML. Times are the doctor's wall clock with the zone's name, because that is the
 * clinic's agenda (the calendar invite carries the instant for the reader's own calendar).
 */
import type { Language } from "../db/database.js";

/** Stands in a link for the account token that the dispatcher mints when it sends (see outbox.ts). */
export const TOKEN_PLACEHOLDER = "__HF_TOKEN__";

export type MessageKind =
  | "booking_confirmation"
  | "booking_rescheduled"
  | "booking_cancelled"
  | "doctor_booked"
  | "doctor_rescheduled"
  | "doctor_cancelled"
  | "reminder"
  | "verify_email"
  | "signup_existing"
  | "reset_password"
  | "password_changed"
  | "invite";

export const MESSAGE_KINDS: MessageKind[] = [
  "booking_confirmation",
  "booking_rescheduled",
  "booking_cancelled",
  "doctor_booked",
  "doctor_rescheduled",
  "doctor_cancelled",
  "reminder",
  "verify_email",
  "signup_existing",
  "reset_password",
  "password_changed",
  "invite",
];

export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

function locale(lang: Language): string {
  return lang === "en" ? "en-GB" : "pt-BR";
}

// Building an Intl.DateTimeFormat costs far more than formatting with one (a quarter of a
// booking's CPU in the #16 profile, two messages per booking): one per language, zone and shape.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: Language, zone: string, shape: keyof typeof SHAPES): Intl.DateTimeFormat {
  const key = `${shape} ${lang} ${zone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale(lang), { ...SHAPES[shape], timeZone: zone });
    formatters.set(key, f);
  }
  return f;
}
const SHAPES = {
  date: { weekday: "long", day: "numeric", month: "long", year: "numeric" },
  time: { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  zoneName: { timeZoneName: "long" },
  short: { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

/** `terça-feira, 10 de março de 2031, 09:00–09:30 (Horário Padrão de Brasília, America/Sao_Paulo)` */
export function formatWhen(start: Date, end: Date, zone: string, lang: Language): string {
  const date = formatter(lang, zone, "date").format(start);
  const time = formatter(lang, zone, "time");
  const zoneName =
    formatter(lang, zone, "zoneName")
      .formatToParts(start)
      .find((p) => p.type === "timeZoneName")?.value ?? zone;
  return `${date}, ${time.format(start)}–${time.format(end)} (${zoneName}, ${zone})`;
}

/** `06/03/2031 10:00 (America/Sao_Paulo)`: for subject lines. */
export function formatWhenShort(start: Date, zone: string, lang: Language): string {
  return `${formatter(lang, zone, "short").format(start).replace(",", "")} (${zone})`;
}

/** `24 horas`, `1 hora`, `2 dias`: how far ahead a reminder is. */
export function formatLead(minutes: number, lang: Language): string {
  const [n, unit] =
    minutes % 1440 === 0 ? [minutes / 1440, "day"] : minutes % 60 === 0 ? [minutes / 60, "hour"] : [minutes, "minute"];
  const words: Record<Language, Record<string, [string, string]>> = {
    "pt-BR": { day: ["dia", "dias"], hour: ["hora", "horas"], minute: ["minuto", "minutos"] },
    en: { day: ["day", "days"], hour: ["hour", "hours"], minute: ["minute", "minutes"] },
  };
  const [one, many] = words[lang][unit as string]!;
  return `${n} ${n === 1 ? one : many}`;
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

type Block = string | { label: string; value: string } | { link: string; label: string };

function compose(lang: Language, subject: string, blocks: Block[]): Rendered {
  const sign = lang === "en" ? "— HealthFlow" : "— HealthFlow";
  const text = [
    ...blocks.map((b) =>
      typeof b === "string" ? b : "value" in b ? `${b.label}: ${b.value}` : `${b.label}:\n${b.link}`,
    ),
    sign,
  ].join("\n\n");
  const html = [
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;line-height:1.5;color:#1f2933;max-width:36rem">',
    ...blocks.map((b) =>
      typeof b === "string"
        ? `<p>${escapeHtml(b)}</p>`
        : "value" in b
          ? `<p><strong>${escapeHtml(b.label)}:</strong> ${escapeHtml(b.value)}</p>`
          : `<p><a href="${escapeHtml(b.link)}" style="display:inline-block;padding:.6rem 1rem;background:#0b6e4f;color:#fff;border-radius:.4rem;text-decoration:none">${escapeHtml(b.label)}</a><br><small>${escapeHtml(b.link)}</small></p>`,
    ),
    `<p style="color:#52606d">${escapeHtml(sign)}</p>`,
    "</body></html>",
  ].join("\n");
  return { subject, text, html };
}

/** The doctor as the patient reads them: name, council registration (CRM and UF), specialty. */
function doctorOf(f: ConsultationFacts): string {
  return f.doctorCrm ? `${f.doctorName}, ${f.doctorCrm} (${f.specialty})` : `${f.doctorName} (${f.specialty})`;
}

export interface ConsultationFacts {
  patientName: string;
  doctorName: string;
  /** "CRM-SP 123456" when the doctor's registration is known. */
  doctorCrm?: string | null;
  specialty: string;
  /** formatWhen of the consultation, in the recipient's language. */
  when: string;
  /** formatWhenShort, for the subject. */
  whenShort: string;
  previousWhen?: string;
  roomUrl?: string;
  /** In person (issue #13): no room; the clinic's address instead (or a line saying to ask the clinic). */
  inPerson?: { address: string | null };
  reason?: string | null;
  cancelReason?: string | null;
  /** Who made a change a doctor is told about. */
  changedBy?: "patient" | "admin";
}

export interface AccountFacts {
  name: string;
  link?: string;
  loginUrl?: string;
  forgotUrl?: string;
  role?: "admin" | "doctor" | "patient";
}

const T = {
  "pt-BR": {
    hello: (n: string) => `Olá, ${n}.`,
    doctor: "Médico(a)",
    patient: "Paciente",
    when: "Quando",
    before: "Antes",
    room: "Entrar na sala de consulta",
    roomNote: "A sala abre 15 minutos antes do início. O convite de calendário vai anexo.",
    reason: "Motivo",
    byPatient: "pelo(a) paciente",
    byAdmin: "pela administração da clínica",
    mode: "Modalidade",
    inPerson: "Presencial",
    video: "Por vídeo",
    where: "Onde",
    addressUnknown: "no endereço da clínica (confirme com a clínica)",
  },
  en: {
    hello: (n: string) => `Hello, ${n}.`,
    doctor: "Doctor",
    patient: "Patient",
    when: "When",
    before: "Before",
    room: "Join the consult room",
    roomNote: "The room opens 15 minutes before the start. The calendar invite is attached.",
    reason: "Reason",
    byPatient: "by the patient",
    byAdmin: "by the clinic's administration",
    mode: "Mode",
    inPerson: "In person",
    video: "By video",
    where: "Where",
    addressUnknown: "at the clinic's address (please confirm with the clinic)",
  },
} as const;

export function renderConsultationMessage(
  kind: Extract<
    MessageKind,
    | "booking_confirmation"
    | "booking_rescheduled"
    | "booking_cancelled"
    | "doctor_booked"
    | "doctor_rescheduled"
    | "doctor_cancelled"
  >,
  lang: Language,
  f: ConsultationFacts,
): Rendered {
  const t = T[lang];
  const en = lang === "en";
  const doctorLine = { label: t.doctor, value: doctorOf(f) };
  // In person: where, instead of the room link (the calendar invite carries the address too).
  const roomBlocks: Block[] = f.inPerson
    ? [
        { label: t.mode, value: t.inPerson },
        { label: t.where, value: f.inPerson.address ?? t.addressUnknown },
      ]
    : f.roomUrl
      ? [{ link: f.roomUrl, label: t.room }, t.roomNote]
      : [];
  const modeLine: Block[] = [{ label: t.mode, value: f.inPerson ? t.inPerson : t.video }];
  const by = f.changedBy === "admin" ? t.byAdmin : t.byPatient;
  switch (kind) {
    case "booking_confirmation":
      return compose(
        lang,
        en
          ? `Consultation booked: ${f.doctorName}, ${f.whenShort}`
          : `Consulta agendada: ${f.doctorName}, ${f.whenShort}`,
        [
          t.hello(f.patientName),
          en ? "Your consultation is booked." : "Sua consulta está agendada.",
          doctorLine,
          { label: t.when, value: f.when },
          ...roomBlocks,
        ],
      );
    case "booking_rescheduled":
      return compose(lang, en ? `Consultation moved: ${f.whenShort}` : `Consulta remarcada: ${f.whenShort}`, [
        t.hello(f.patientName),
        en ? "Your consultation has a new time." : "Sua consulta tem um novo horário.",
        doctorLine,
        { label: t.when, value: f.when },
        ...(f.previousWhen ? [{ label: t.before, value: f.previousWhen }] : []),
        ...roomBlocks,
      ]);
    case "booking_cancelled":
      return compose(lang, en ? `Consultation cancelled: ${f.whenShort}` : `Consulta cancelada: ${f.whenShort}`, [
        t.hello(f.patientName),
        en
          ? "Your consultation was cancelled. The calendar event is removed by the attached update."
          : "Sua consulta foi cancelada. A atualização anexa remove o evento da sua agenda.",
        doctorLine,
        { label: t.when, value: f.when },
        ...(f.cancelReason ? [{ label: t.reason, value: f.cancelReason }] : []),
      ]);
    case "doctor_booked":
      return compose(
        lang,
        en ? `New consultation: ${f.patientName}, ${f.whenShort}` : `Nova consulta: ${f.patientName}, ${f.whenShort}`,
        [
          t.hello(f.doctorName),
          en ? "A consultation was booked in your agenda." : "Uma consulta foi agendada na sua agenda.",
          { label: t.patient, value: f.patientName },
          { label: t.when, value: f.when },
          ...modeLine,
          ...(f.reason ? [{ label: t.reason, value: f.reason }] : []),
        ],
      );
    case "doctor_rescheduled":
      return compose(
        lang,
        en
          ? `Consultation moved: ${f.patientName}, ${f.whenShort}`
          : `Consulta remarcada: ${f.patientName}, ${f.whenShort}`,
        [
          t.hello(f.doctorName),
          en ? `A consultation was moved ${by}.` : `Uma consulta foi remarcada ${by}.`,
          { label: t.patient, value: f.patientName },
          { label: t.when, value: f.when },
          ...modeLine,
          ...(f.previousWhen ? [{ label: t.before, value: f.previousWhen }] : []),
        ],
      );
    case "doctor_cancelled":
      return compose(
        lang,
        en
          ? `Consultation cancelled: ${f.patientName}, ${f.whenShort}`
          : `Consulta cancelada: ${f.patientName}, ${f.whenShort}`,
        [
          t.hello(f.doctorName),
          en ? `A consultation was cancelled ${by}.` : `Uma consulta foi cancelada ${by}.`,
          { label: t.patient, value: f.patientName },
          { label: t.when, value: f.when },
          ...(f.cancelReason ? [{ label: t.reason, value: f.cancelReason }] : []),
        ],
      );
  }
}

export function renderReminder(lang: Language, f: ConsultationFacts & { lead: string }): Rendered {
  const t = T[lang];
  const en = lang === "en";
  return compose(lang, en ? `Reminder: consultation in ${f.lead}` : `Lembrete: consulta em ${f.lead}`, [
    t.hello(f.patientName),
    en ? `Your consultation starts in ${f.lead}.` : `Sua consulta começa em ${f.lead}.`,
    { label: t.doctor, value: doctorOf(f) },
    { label: t.when, value: f.when },
    ...(f.inPerson
      ? [{ label: t.where, value: f.inPerson.address ?? t.addressUnknown }]
      : f.roomUrl
        ? [
            { link: f.roomUrl, label: t.room },
            en ? "The room opens 15 minutes before the start." : "A sala abre 15 minutos antes do início.",
          ]
        : []),
  ]);
}

export function renderAccountMessage(
  kind: Extract<MessageKind, "verify_email" | "signup_existing" | "reset_password" | "password_changed" | "invite">,
  lang: Language,
  f: AccountFacts,
): Rendered {
  const t = T[lang];
  const en = lang === "en";
  switch (kind) {
    case "verify_email":
      return compose(lang, en ? "Confirm your email" : "Confirme seu e-mail", [
        t.hello(f.name),
        en
          ? "Welcome to HealthFlow. Confirm your email to book consultations."
          : "Boas-vindas ao HealthFlow. Confirme seu e-mail para agendar consultas.",
        { link: f.link!, label: en ? "Confirm my email" : "Confirmar meu e-mail" },
        en
          ? "The link works once, for 48 hours. If you did not sign up, ignore this message."
          : "O link vale uma vez, por 48 horas. Se você não se cadastrou, ignore esta mensagem.",
      ]);
    case "signup_existing":
      return compose(
        lang,
        en ? "Someone tried to sign up with your email" : "Alguém tentou se cadastrar com seu e-mail",
        [
          t.hello(f.name),
          en
            ? "Someone tried to create a HealthFlow account with this email, which already has one. No new account was created."
            : "Alguém tentou criar uma conta no HealthFlow com este e-mail, que já tem uma. Nenhuma conta nova foi criada.",
          { link: f.loginUrl!, label: en ? "Sign in" : "Entrar" },
          en
            ? `If it was you and you forgot your password, reset it here: ${f.forgotUrl}`
            : `Se foi você e esqueceu a senha, redefina aqui: ${f.forgotUrl}`,
          en ? "If it was not you, you can ignore this message." : "Se não foi você, pode ignorar esta mensagem.",
        ],
      );
    case "reset_password":
      return compose(lang, en ? "Reset your password" : "Redefina sua senha", [
        t.hello(f.name),
        en
          ? "Someone (hopefully you) asked to reset the password of your HealthFlow account."
          : "Alguém (esperamos que você) pediu para redefinir a senha da sua conta no HealthFlow.",
        { link: f.link!, label: en ? "Choose a new password" : "Escolher uma nova senha" },
        en
          ? "The link works once, for 30 minutes. Resetting signs you out everywhere. If you did not ask, ignore this message: your password stays as it is."
          : "O link vale uma vez, por 30 minutos. Redefinir encerra todas as suas sessões. Se você não pediu, ignore esta mensagem: sua senha continua a mesma.",
      ]);
    case "password_changed":
      return compose(lang, en ? "Your password was changed" : "Sua senha foi alterada", [
        t.hello(f.name),
        en
          ? "The password of your HealthFlow account was just changed, and your other sessions were ended."
          : "A senha da sua conta no HealthFlow acabou de ser alterada, e suas outras sessões foram encerradas.",
        en ? `If it was not you, reset it now: ${f.forgotUrl}` : `Se não foi você, redefina agora: ${f.forgotUrl}`,
      ]);
    case "invite": {
      const roleName = en
        ? { admin: "an administrator", doctor: "a doctor", patient: "a patient" }[f.role ?? "patient"]
        : { admin: "administrador(a)", doctor: "médico(a)", patient: "paciente" }[f.role ?? "patient"];
      return compose(lang, en ? "You are invited to HealthFlow" : "Você foi convidado(a) para o HealthFlow", [
        t.hello(f.name),
        en
          ? `The clinic created a HealthFlow account for you as ${roleName}. Choose your password to start.`
          : `A clínica criou uma conta no HealthFlow para você como ${roleName}. Escolha sua senha para começar.`,
        { link: f.link!, label: en ? "Accept the invitation" : "Aceitar o convite" },
        en ? "The link works once, for 7 days." : "O link vale uma vez, por 7 dias.",
      ]);
    }
  }
}
