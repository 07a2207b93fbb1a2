/**
 * A readable API reference rendered on the server from the OpenAPI document: no CDN script (the
 * CSP forbids it and clinics may be offline), nothing to drift from the code.
 */
type Doc = { info?: { title?: string; version?: string }; paths?: Record<string, Record<string, unknown>> };
type Operation = {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  parameters?: { name: string; in: string; required?: boolean }[];
  responses?: Record<string, { description?: string }>;
};

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

export function renderDocsPage(doc: Doc): string {
  const rows: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    for (const [method, raw] of Object.entries(methods)) {
      // A path item also holds shared fields (`parameters`, `summary`, `servers`): not operations.
      if (!HTTP_METHODS.has(method)) continue;
      const op = raw as Operation;
      const params = (op.parameters ?? []).map((p) => `${p.name} (${p.in}${p.required ? ", required" : ""})`);
      const body = op.requestBody?.content?.["application/json"]?.schema;
      const responses = Object.entries(op.responses ?? {}).map(
        ([s, r]) => `<li><b>${escapeHtml(s)}</b> ${escapeHtml(r.description ?? "")}</li>`,
      );
      rows.push(`<section>
  <h2><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h2>
  <p>${escapeHtml(op.summary ?? "")}${op.security ? " <em>(signed in)</em>" : ""}</p>
  ${params.length ? `<p>Parameters: ${escapeHtml(params.join(", "))}</p>` : ""}
  ${body ? `<details><summary>Request body</summary><pre>${escapeHtml(JSON.stringify(body, null, 2))}</pre></details>` : ""}
  <ul>${responses.join("")}</ul>
</section>`);
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(doc.info?.title ?? "API")} reference</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
h2{font-size:1.05rem;margin:1.5rem 0 .25rem}code{font-size:1rem}pre{background:#f4f4f4;padding:.75rem;overflow:auto}
.m{display:inline-block;min-width:4.5rem;padding:0 .4rem;border-radius:4px;color:#fff;background:#3a3a3a;font-size:.85rem}
.get{background:#0b6b3a}.post{background:#0b4f8a}.put{background:#7a4b00}.patch{background:#6b2a8a}.delete{background:#9b1c1c}
</style></head><body>
<h1>${escapeHtml(doc.info?.title ?? "API")} <small>${escapeHtml(doc.info?.version ?? "")}</small></h1>
<p>Machine-readable document: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). Errors always have the body
<code>{"error":{"code","message","details"?}}</code>. Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>
from <code>POST /api/auth/login</code>, or the session cookie in the browser.</p>
${rows.join("\n")}
</body></html>`;
}
