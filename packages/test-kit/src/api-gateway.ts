/**
 * Turns a fetch `Request` into the API Gateway HTTP API (payload v2) event Lambda receives, and the
 * handler's result back into a `Response`, so one contract suite can drive the Lambda adapter the
 * way API Gateway does: cookies in the `cookies` array (not a header), the path decoded, binary
 * bodies base64-encoded, Set-Cookie returned in `cookies`.
 */
import type { APIGatewayProxyResult, LambdaContext, LambdaEvent } from "hono/aws-lambda";

/** The HTTP API payload v2 event, as hono's adapter types it (the one with `rawPath` and `http`). */
export type ApiGatewayV2Event = Extract<LambdaEvent, { rawPath: string; routeKey: string }>;
type V2Result = APIGatewayProxyResult;
export type LambdaV2Handler = (event: ApiGatewayV2Event, context?: LambdaContext) => Promise<V2Result>;

const TEXTUAL = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript))|\+json|\+xml/i;

function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname; // malformed escapes reach the function as sent
  }
}

export async function toApiGatewayV2Event(request: Request): Promise<ApiGatewayV2Event> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  request.headers.forEach((value, key) => {
    if (key === "cookie") cookies = value.split(/;\s*/).filter(Boolean);
    else headers[key] = value;
  });
  headers.host = url.host;
  const bytes = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  const textual = TEXTUAL.test(request.headers.get("content-type") ?? "");
  const now = Date.now();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: decodePath(url.pathname),
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    requestContext: {
      accountId: "000000000000",
      apiId: "contract",
      domainName: url.host,
      domainPrefix: url.hostname.split(".")[0]!,
      http: {
        method: request.method,
        path: decodePath(url.pathname),
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: request.headers.get("user-agent") ?? "",
      },
      authentication: null,
      authorizer: {},
      requestId: `req-${now}`,
      routeKey: "$default",
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: bytes ? (textual ? bytes.toString("utf8") : bytes.toString("base64")) : null,
    isBase64Encoded: Boolean(bytes && !textual),
  };
}

export function fromLambdaResult(result: V2Result, method: string): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(("headers" in result ? result.headers : undefined) ?? {})) {
    headers.set(k, String(v));
  }
  for (const c of result.cookies ?? []) headers.append("set-cookie", c);
  const noBody = method === "HEAD" || [101, 204, 205, 304].includes(result.statusCode);
  const body = noBody ? null : result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : (result.body ?? "");
  return new Response(body, { status: result.statusCode, headers });
}

/** A `send(Request)` that goes through a Lambda handler as API Gateway would call it. */
export function viaLambda(handler: LambdaV2Handler): (request: Request) => Promise<Response> {
  return async (request) => {
    const event = await toApiGatewayV2Event(request);
    const result = await handler(event);
    return fromLambdaResult(result, request.method);
  };
}
