/**
 * Doctor identification as the CFM requires it: the CRM (Conselho Regional de Medicina) number and
 * the state (UF) whose council issued it. Plain code, no server imports: the web app's forms use it.
 *
 * The licence number that clients read (`licenseNumber`) is derived: "CRM-SP 123456".
 */

/** The 27 federative units, each with its own regional council. */
export const UFS = [
  "AC",
  "AL",
  "AP",
  "AM",
  "BA",
  "CE",
  "DF",
  "ES",
  "GO",
  "MA",
  "MT",
  "MS",
  "MG",
  "PA",
  "PB",
  "PR",
  "PE",
  "PI",
  "RJ",
  "RN",
  "RS",
  "RO",
  "RR",
  "SC",
  "SP",
  "SE",
  "TO",
] as const;
export type Uf = (typeof UFS)[number];

export const CRM_PATTERN = /^[0-9]{1,10}$/;

export function isUf(value: string): value is Uf {
  return (UFS as readonly string[]).includes(value);
}

/** "CRM-SP 123456": how a CRM is written for people and for clients that read `licenseNumber`. */
export function formatLicense(crm: string, crmState: string): string {
  return `CRM-${crmState} ${crm}`;
}

/** Leading zeros carry no meaning in a CRM number. */
export function normaliseCrm(crm: string): string {
  return crm.trim().replace(/^0+(?=\d)/, "");
}

/**
 * Reads a free-text licence number as a CRM: "CRM-SP 123456", "CRM/SP 123456", "crm sp 123456",
 * "123456-SP", "123456/SP". Null when it does not read as one (an unknown state, letters in the
 * number).
 *
 * @example parseLicense("CRM/SP 0123456") // { crm: "123456", crmState: "SP" }
 */
export function parseLicense(license: string): { crm: string; crmState: Uf } | null {
  const s = license.trim().toUpperCase();
  let uf: string | undefined;
  let digits: string | undefined;
  const first = /^(?:CRM)?\s*[-/ ]?\s*([A-Z]{2})\s*[-/ ]?\s*([0-9]{1,10})$/.exec(s);
  const second = /^(?:CRM)?\s*[-/ ]?\s*([0-9]{1,10})\s*[-/ ]?\s*([A-Z]{2})$/.exec(s);
  if (first) [, uf, digits] = first;
  else if (second) [, digits, uf] = second;
  if (!uf || !digits || !isUf(uf)) return null;
  const crm = normaliseCrm(digits);
  if (crm === "0") return null;
  return { crm, crmState: uf };
}
