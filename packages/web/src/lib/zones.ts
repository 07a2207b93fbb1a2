/** IANA time zones for pickers: Brazil's first (most of our clinics), then every other, A to Z. */
export const BRAZILIAN_ZONES = [
  "America/Sao_Paulo",
  "America/Manaus",
  "America/Bahia",
  "America/Fortaleza",
  "America/Recife",
  "America/Belem",
  "America/Maceio",
  "America/Araguaina",
  "America/Cuiaba",
  "America/Campo_Grande",
  "America/Porto_Velho",
  "America/Boa_Vista",
  "America/Santarem",
  "America/Rio_Branco",
  "America/Eirunepe",
  "America/Noronha",
];

export function timeZones(): string[] {
  const supported = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  const all = new Set([...supported, "UTC"]);
  const brazil = BRAZILIAN_ZONES.filter((z) => all.has(z) || supported.length === 0);
  return [...brazil, ...[...all].filter((z) => !BRAZILIAN_ZONES.includes(z)).sort()];
}

/** Whether the runtime knows `zone` as an IANA zone (what the server checks too). */
export function isTimeZone(zone: string): boolean {
  if (!zone.trim()) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
