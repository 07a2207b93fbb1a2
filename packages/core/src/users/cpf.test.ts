import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidCpf, normaliseCpf } from "./cpf.js";

/** Check digits computed the long way (the Receita Federal's description), to compare with. */
function withCheckDigits(nine: number[]): string {
  const first = ((nine.reduce((s, d, i) => s + d * (10 - i), 0) * 10) % 11) % 10;
  const ten = [...nine, first];
  const second = ((ten.reduce((s, d, i) => s + d * (11 - i), 0) * 10) % 11) % 10;
  return [...ten, second].join("");
}

describe("CPF", () => {
  it("accepts known valid numbers, bare or punctuated, and normalises to 11 digits", () => {
    expect(normaliseCpf("529.982.247-25")).toBe("52998224725");
    expect(normaliseCpf("52998224725")).toBe("52998224725");
    expect(normaliseCpf(" 111.444.777-35 ")).toBe("11144477735");
    expect(isValidCpf("390.533.447-05")).toBe(true);
  });

  it("refuses a wrong check digit, repeated digits, wrong lengths and stray characters", () => {
    for (const bad of [
      "529.982.247-24",
      "52998224735",
      "111.111.111-11",
      "00000000000",
      "5299822472",
      "529982247250",
      "529-982-247.25",
      "abc.def.ghi-jk",
      "",
    ]) {
      expect(isValidCpf(bad), bad).toBe(false);
    }
  });

  it("agrees with the textbook computation for random numbers; a changed check digit breaks it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }),
        fc.integer({ min: 9, max: 10 }),
        (nine, pos) => {
          const cpf = withCheckDigits(nine);
          if (/^(\d)\1{10}$/.test(cpf)) return;
          expect(normaliseCpf(cpf)).toBe(cpf);
          const changed = cpf.slice(0, pos) + String((Number(cpf[pos]) + 1) % 10) + cpf.slice(pos + 1);
          expect(isValidCpf(changed)).toBe(false);
        },
      ),
    );
  });
});
