import { describe, expect, it } from "vitest";
import { formatLicense, parseLicense } from "./crm.js";

describe("CRM", () => {
  it.each([
    ["CRM-SP 123456", { crm: "123456", crmState: "SP" }],
    ["CRM/SP 0123456", { crm: "123456", crmState: "SP" }],
    ["crm sp 42", { crm: "42", crmState: "SP" }],
    ["CRMRJ42", { crm: "42", crmState: "RJ" }],
    ["123456-MG", { crm: "123456", crmState: "MG" }],
    ["123456/df", { crm: "123456", crmState: "DF" }],
  ])("reads %s", (licence, expected) => {
    expect(parseLicense(licence)).toEqual(expected);
  });

  it.each(["CRM 123456", "CRM/XX 1", "CRM/SP 12a4", "CRM/SP 0", "CRM/SP 12345678901", "SP", ""])(
    "refuses %s",
    (licence) => {
      expect(parseLicense(licence)).toBeNull();
    },
  );

  it("writes CRM-UF number", () => {
    expect(formatLicense("123456", "SP")).toBe("CRM-SP 123456");
    expect(parseLicense(formatLicense("9", "TO"))).toEqual({ crm: "9", crmState: "TO" });
  });
});
