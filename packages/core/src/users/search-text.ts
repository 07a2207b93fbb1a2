/**
 * The query side of search. Stored text is folded by the database (`hf_search_fold`, migration
 * 0009, kept in the generated column `users.search_text`); a query is folded here the same way
 * (search-text.int.test.ts compares the two on real PostgreSQL), split into words, and each word
 * becomes a LIKE pattern with its wildcards escaped:
 *
 * - letters (or letters and digits): a word of the text starts with it — `% joao%`;
 * - digits only: anywhere — `%98765%`, so part of a phone number matches;
 * - a query that reads as a phone number ("+55 (11) 98765-4321") is one word of its digits.
 *
 * Every word must match (AND). Case and accents do not matter: "joao" finds "João".
 */
import { type RawBuilder, sql } from "kysely";

const PAIRS: Array<[string, string]> = [
  ["ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"],
  ["ÁÀÂÃÄÅáàâãäå", "a".repeat(12)],
  ["ÉÈÊËéèêë", "e".repeat(8)],
  ["ÍÌÎÏíìîï", "i".repeat(8)],
  ["ÓÒÔÕÖóòôõö", "o".repeat(10)],
  ["ÚÙÛÜúùûü", "u".repeat(8)],
  ["ÇçÑñÝýÿ", "ccnnyyy"],
  [".,;:@+-()/'\"\u2019\t", " ".repeat(14)],
];
const DROPPED = new Set(["\u0300", "\u0301", "\u0302", "\u0303", "\u0308", "\u0327"]);
const MAP = new Map<string, string>();
for (const [from, to] of PAIRS) {
  [...from].forEach((ch, i) => {
    MAP.set(ch, to[i]!);
  });
}

/** The TypeScript twin of SQL `hf_search_fold`. */
export function foldSearchText(text: string): string {
  let out = "";
  for (const ch of text) {
    if (DROPPED.has(ch)) continue;
    out += MAP.get(ch) ?? ch;
  }
  return out;
}

const PHONE_LIKE = /^[+\d\s().-]+$/;

/** The words of a query, folded; empty when it has none (only spaces or separators). */
export function searchWords(q: string): string[] {
  const trimmed = q.trim();
  const digits = trimmed.replace(/\D/g, "");
  if (PHONE_LIKE.test(trimmed) && digits.length >= 4 && /[\s().+-]/.test(trimmed)) return [digits];
  return [...new Set(foldSearchText(trimmed).split(/\s+/))].filter((w) => w.length > 0);
}

/** `%`, `_` and `\` stand for themselves in the pattern (escape character: backslash). */
export function escapeLike(word: string): string {
  return word.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The LIKE pattern of one folded word over a text that starts with a space (see the header). */
export function likePattern(word: string): string {
  return /^\d+$/.test(word) ? `%${escapeLike(word)}%` : `% ${escapeLike(word)}%`;
}

/** `column LIKE pattern` for every word (true when there is none). */
export function matchesEveryWord(column: RawBuilder<string>, words: string[]): RawBuilder<boolean> {
  if (words.length === 0) return sql<boolean>`true`;
  return sql<boolean>`(${sql.join(
    words.map((w) => sql`${column} like ${likePattern(w)} escape '\\'`),
    sql` and `,
  )})`;
}
