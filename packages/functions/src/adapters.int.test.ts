/**
 * One contract suite, two adapters: the app called directly (`app.request`, as the Node server and
 * the pod do through `app.fetch`) and the Lambda handler fed API Gateway v2 events.
 */

import { describeApiContract } from "@healthflow/test-kit/api-contract";
import {
  fromLambdaResult,
  type LambdaV2Handler,
  toApiGatewayV2Event,
  viaLambda,
} from "@healthflow/test-kit/api-gateway";
import { createTestClinic, type TestClinic } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaHandlerFor } from "./lambda.js";

const ORIGIN = "https://api.healthflow.test";
let clinic: TestClinic;
let lambda: LambdaV2Handler;

beforeAll(async () => {
  // The contract signs up and books at once: sign-up without email verification.
  clinic = await createTestClinic({ config: { requireEmailVerification: false } });
  lambda = lambdaHandlerFor(clinic.app) as unknown as LambdaV2Handler;
});
afterAll(async () => {
  await clinic?.close();
});

describeApiContract("app.request()", () => ({
  origin: ORIGIN,
  send: (req) => Promise.resolve(clinic.app.request(req)),
}));
describeApiContract("the Lambda handler (API Gateway v2 events)", () => ({ origin: ORIGIN, send: viaLambda(lambda) }));

describe("the API Gateway v2 event conversion itself", () => {
  it("puts cookies in the cookies array, decodes the path, keeps the query and JSON bodies as text", async () => {
    const event = await toApiGatewayV2Event(
      new Request(`${ORIGIN}/api/caf%C3%A9?role=doctor&x=%20y`, {
        method: "POST",
        headers: { cookie: "a=1; hf_session=tok", "content-type": "application/json", origin: ORIGIN },
        body: '{"k":"v"}',
      }),
    );
    expect(event.cookies).toEqual(["a=1", "hf_session=tok"]);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.rawPath).toBe("/api/café");
    expect(event.rawQueryString).toBe("role=doctor&x=%20y");
    expect(event.requestContext.http.method).toBe("POST");
    expect(event.requestContext.domainName).toBe("api.healthflow.test");
    expect(event).toMatchObject({ body: '{"k":"v"}', isBase64Encoded: false });
  });

  it("base64-encodes binary bodies, and the handler decodes them", async () => {
    const bytes = Uint8Array.from([0, 255, 1, 254]);
    const event = await toApiGatewayV2Event(
      new Request(`${ORIGIN}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: bytes,
      }),
    );
    expect(event).toMatchObject({ isBase64Encoded: true, body: Buffer.from(bytes).toString("base64") });
    // The app refuses the type (400), proving the body arrived and was judged, not dropped as a 500.
    const res = fromLambdaResult(await lambda(event), "POST");
    expect(res.status).toBe(400);
  });

  it("returns Set-Cookie in the result's cookies array", async () => {
    const email = `lambda-${Date.now()}@test.healthflow.local`;
    const event = await toApiGatewayV2Event(
      new Request(`${ORIGIN}/api/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: "contract-test-passphrase", name: "Lambda" }),
      }),
    );
    const result = await lambda(event);
    expect(result.statusCode).toBe(201);
    expect(result.cookies).toHaveLength(1);
    expect(result.cookies![0]).toMatch(/^hf_session=[A-Za-z0-9_-]+;.*Secure/);
    expect("headers" in result ? result.headers?.["set-cookie"] : undefined).toBeUndefined();
  });
});
