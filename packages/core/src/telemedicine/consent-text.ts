/**
 * The telemedicine consent text (termo de consentimento, Resolução CFM nº 2.314/2022, art. 15):
 * versioned, in Portuguese and English, replaceable by the clinic.
 *
 * The clinic replaces it with HEALTHFLOW_TELEMEDICINE_CONSENT_FILE, a JSON file
 * `{ "version": "...", "text": { "pt-BR": "...", "en": "..." } }`. A new text must carry a new
 * version: consent is given to a version, and a new version asks every patient again. The hash
 * (SHA-256 of the version and both texts) is stored with each agreement, so what was agreed to can
 * be proven even if the file is later edited in place.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";

export interface ConsentText {
  version: string;
  hash: string;
  text: { "pt-BR": string; en: string };
}

export const DEFAULT_CONSENT_VERSION = "2026-11-cfm-2314-v1";

const DEFAULT_TEXT = {
  "pt-BR": [
    "Termo de consentimento livre e esclarecido para teleconsulta",
    "",
    "Declaro que fui informado(a) de que esta consulta será realizada por telemedicina, nos termos da " +
      "Resolução CFM nº 2.314/2022, por videochamada com o(a) médico(a) identificado(a) nesta página pelo nome, " +
      "CRM e estado.",
    "Autorizo a transmissão da minha imagem, voz e dos dados de saúde necessários ao atendimento. A " +
      "chamada não é gravada; o atendimento é registrado no meu prontuário, com data, horário e " +
      "identificação dos participantes.",
    "Fui informado(a) das limitações do atendimento a distância, sem exame físico presencial, e de que o(a) " +
      "médico(a) pode indicar um atendimento presencial a qualquer momento.",
    "Meus dados são tratados conforme a Lei Geral de Proteção de Dados (Lei nº 13.709/2018). Posso retirar " +
      "este consentimento a qualquer momento, para as próximas consultas.",
  ].join("\n"),
  en: [
    "Informed consent to teleconsultation",
    "",
    "I have been told that this consultation will take place by telemedicine, under Brazilian Federal " +
      "Council of Medicine Resolution 2,314/2022, by video call with the doctor named on this page with " +
      "their CRM number and state.",
    "I authorise the transmission of my image, voice and the health data the consultation needs. The call " +
      "is not recorded; the consultation is entered in my medical record, with its date, times and the " +
      "participants' identification.",
    "I have been told of the limits of remote care, without an in-person physical examination, and that " +
      "the doctor may recommend an in-person visit at any time.",
    "My data are processed under the Brazilian General Data Protection Law (Law 13,709/2018). I may " +
      "withdraw this consent at any time, for future consultations.",
  ].join("\n"),
};

const fileSchema = z.object({
  version: z.string().trim().min(1).max(64),
  text: z.object({ "pt-BR": z.string().trim().min(20), en: z.string().trim().min(20) }),
});

export function hashConsentText(version: string, text: ConsentText["text"]): string {
  return createHash("sha256")
    .update(JSON.stringify([version, text["pt-BR"], text.en]))
    .digest("hex");
}

function build(version: string, text: ConsentText["text"]): ConsentText {
  return { version, hash: hashConsentText(version, text), text };
}

export const DEFAULT_CONSENT_TEXT: ConsentText = build(DEFAULT_CONSENT_VERSION, DEFAULT_TEXT);

const cache = new Map<string, ConsentText>();

/**
 * The text in force: the clinic's file when configured (read once per process; a malformed file is
 * an error, not a silent fall-back to the default), else the built-in text.
 */
export function currentConsentText(file?: string): ConsentText {
  if (!file) return DEFAULT_CONSENT_TEXT;
  const hit = cache.get(file);
  if (hit) return hit;
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  } catch (err) {
    throw new Error(
      `HEALTHFLOW_TELEMEDICINE_CONSENT_FILE (${file}) is not a valid consent text: ${(err as Error).message}`,
    );
  }
  const value = build(parsed.version, parsed.text);
  cache.set(file, value);
  return value;
}
