import { describe, expect, it } from "vitest";
import { renderDocsPage } from "./docs-page.js";

const evil = `<script>alert("x")</script>&'`;

describe("renderDocsPage", () => {
  it("lists every operation with its method, path, summary and responses", () => {
    const html = renderDocsPage({
      info: { title: "HealthFlow API", version: "0.1.0" },
      paths: {
        "/api/auth/login": {
          post: {
            summary: "Sign in",
            requestBody: { content: { "application/json": { schema: { type: "object" } } } },
            responses: { "200": { description: "Signed in" }, "401": { description: "Wrong password" } },
          },
        },
        "/api/users": {
          get: {
            summary: "List accounts",
            security: [{ bearerAuth: [] }],
            parameters: [{ name: "role", in: "query" }],
            responses: {},
          },
        },
      },
    });
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<title>HealthFlow API reference</title>");
    expect(html).toContain('<span class="m post">POST</span> <code>/api/auth/login</code>');
    expect(html).toContain('<span class="m get">GET</span> <code>/api/users</code>');
    expect(html).toContain("<li><b>401</b> Wrong password</li>");
    expect(html).toContain("List accounts <em>(signed in)</em>");
    expect(html).toContain("Parameters: role (query)");
    expect(html).toContain("<summary>Request body</summary>");
    expect(html).not.toMatch(/<script/i);
  });

  it("escapes every value taken from the document", () => {
    const html = renderDocsPage({
      info: { title: evil, version: evil },
      paths: {
        [`/api/${evil}`]: {
          post: {
            summary: evil,
            parameters: [{ name: evil, in: "query", required: true }],
            requestBody: { content: { "application/json": { schema: { description: evil } } } },
            responses: { [evil]: { description: evil } },
          },
          [evil]: { summary: "not a method" },
        },
      },
    });
    expect(html).not.toContain("<script>");
    expect(html).not.toContain(`alert("x")`);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
  });

  it("renders only HTTP methods of a path item, not its shared fields", () => {
    const html = renderDocsPage({
      paths: {
        "/api/things": {
          summary: "shared summary",
          parameters: [{ name: "id", in: "path" }],
          get: { summary: "Get a thing", responses: {} },
        },
      },
    });
    expect(html).toContain('<span class="m get">GET</span>');
    expect(html).not.toContain("SUMMARY");
    expect(html).not.toContain("PARAMETERS");
  });

  it("renders a page for an empty document", () => {
    const html = renderDocsPage({});
    expect(html).toContain("<h1>API <small></small></h1>");
    expect(html).not.toContain("<section>");
  });
});
