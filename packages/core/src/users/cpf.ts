/**
 * The Brazilian CPF (Cadastro de Pessoas Físicas): 9 digits and two check digits, each a weighted
 * sum modulo 11 (weights 10..2 for the first, 11..2 for the second; a remainder below 2 gives 0).
 * Accepted with or without the usual punctuation (`123.456.789-09`), stored and shown as 11 digits.
 * Plain module: the web app imports it through user.schema.ts.
 */

/** The 11 digits of a well-formed CPF whose check digits are right, else null. */
export function normaliseCpf(input: string): string | null {
  const trimmed = input.trim();
  if (!/^(\d{11}|\d{3}\.\d{3}\.\d{3}-\d{2})$/.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, "");
  // 000.000.000-00, 111.111.111-11...: the check digits work out, but the Receita never issues them.
  if (/^(\d)\1{10}$/.test(digits)) return null;
  const d = [...digits].map(Number);
  const check = (length: number) => {
    let sum = 0;
    for (let i = 0; i < length; i++) sum += d[i]! * (length + 1 - i);
    const rest = sum % 11;
    return rest < 2 ? 0 : 11 - rest;
  };
  return check(9) === d[9] && check(10) === d[10] ? digits : null;
}

export function isValidCpf(input: string): boolean {
  return normaliseCpf(input) !== null;
}
