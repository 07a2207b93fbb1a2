/**
 * Lighthouse report (issue #16), pinned at 12.2.3, with Debian's Chromium, headless, on the real
 * server started by global-setup: the sign-in page, and the agenda signed in as the admin (the
 * session cookie goes with every request). Lighthouse's default profile (mobile, simulated
 * throttling).
 *
 * A report, not a gate: each target prints as `LIGHTHOUSE <page> <category>: met|missed (score)`
 * (.ci/run collects those lines) and the HTML/JSON reports go to artifacts/lighthouse/. The test
 * fails only when accessibility or best practices are badly missed (BADLY below); performance,
 * which depends on the machine's load, is reported only.
 *
 *   npm run lighthouse        (this file alone; needs Chromium and, optionally, TEST_DATABASE_URL)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { describe, expect, it } from "vitest";
import { ARTIFACTS } from "./global-setup.js";
import { e2e, skip } from "./harness.js";

const TARGETS = { performance: 95, accessibility: 100, "best-practices": 95 } as const;
type Category = keyof typeof TARGETS;
/** How far under its target a score may fall before the run fails: performance moves with load. */
const BADLY: Record<Exclude<Category, "performance">, number> = { accessibility: 10, "best-practices": 15 };

const FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

async function signInCookie(): Promise<string> {
  const res = await fetch(`${e2e.baseURL}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: e2e.baseURL },
    body: JSON.stringify({ email: e2e.adminEmail, password: e2e.adminPassword }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("hf_session="));
  expect(cookie, "the sign-in sets the session cookie").toBeTruthy();
  return cookie!.split(";")[0]!;
}

async function audit(name: string, path: string, cookie?: string): Promise<Record<Category, number>> {
  const chrome = await chromeLauncher.launch({ chromePath: e2e.chromium, chromeFlags: FLAGS });
  try {
    const result = await lighthouse(`${e2e.baseURL}${path}`, {
      port: chrome.port,
      output: ["html", "json"],
      logLevel: "error",
      onlyCategories: Object.keys(TARGETS),
      ...(cookie ? { extraHeaders: { Cookie: cookie } } : {}),
    });
    if (!result) throw new Error(`Lighthouse returned nothing for ${path}`);
    const dir = join(ARTIFACTS, "lighthouse");
    mkdirSync(dir, { recursive: true });
    const [html, json] = result.report as string[];
    writeFileSync(join(dir, `${name}.report.html`), html!);
    writeFileSync(join(dir, `${name}.report.json`), json!);
    const lhr = result.lhr;
    // The page must be the one asked for (a redirect to /login would audit the wrong screen).
    expect(new URL(lhr.finalDisplayedUrl).pathname).toBe(path);
    const scores = {} as Record<Category, number>;
    for (const category of Object.keys(TARGETS) as Category[]) {
      scores[category] = Math.round((lhr.categories[category]?.score ?? 0) * 100);
      const met = scores[category] >= TARGETS[category];
      const failing = Object.values(lhr.audits)
        .filter(
          (a) =>
            a.score !== null &&
            a.score < 1 &&
            lhr.categories[category]?.auditRefs.some((r) => r.id === a.id && r.weight > 0),
        )
        .map((a) => a.id);
      console.log(
        `LIGHTHOUSE ${name} ${category} >= ${TARGETS[category]}: ${met ? "met" : "missed"} (${scores[category]})${met ? "" : ` failing audits: ${failing.join(", ")}`}`,
      );
    }
    return scores;
  } finally {
    chrome.kill();
  }
}

function notBadlyMissed(scores: Record<Category, number>) {
  // Performance is timed, and a timed score on a shared 2-core machine is a report, not a gate
  // (it scored 69 to 97 for the same build as the load varied): it is printed as met or missed
  // above. Accessibility and best practices do not depend on the machine, so they gate.
  for (const category of (Object.keys(TARGETS) as Category[]).filter((c) => c !== "performance")) {
    expect(scores[category], `${category} badly missed`).toBeGreaterThanOrEqual(
      TARGETS[category] - BADLY[category as Exclude<Category, "performance">],
    );
  }
}

describe.skipIf(skip)("Lighthouse report (12.2.3)", () => {
  it("the sign-in page", async () => {
    notBadlyMissed(await audit("sign-in", "/login"));
  });

  it("the agenda, signed in as the admin", async () => {
    notBadlyMissed(await audit("agenda", "/agenda", await signInCookie()));
  });
});
