/**
 * The web app: S3 (private) behind CloudFront, with `/api/*`, `/fhir/*`, `/cal/*` (calendar feeds),
 * `/healthz` and `/readyz` routed to the API so the browser sees one origin (the session cookie is
 * SameSite=Lax and the API checks Origin on cookie-borne writes). Where the API is depends on the
 * stage (stage.ts apiRuntime):
 * - pods (a stage with a cluster): the API load balancer of the Video stack, by our own name over
 *   HTTPS with a domain, else by the load balancer's AWS name over plain HTTP (warned at synth);
 * - Lambda (`sst dev`, stages without a cluster): API Gateway, over HTTPS.
 * The URL goes to SSM for the Lambda (public-url.ts); the pods get it from `video:deploy`.
 *
 * Two deliberate departures from StaticSite's defaults:
 * - no distribution-wide error responses: they would also turn the API's 403/404 JSON answers into
 *   the SPA's index.html with 200. Client-side routes are rewritten to /index.html by a viewer
 *   function on the default (S3) behaviour only.
 * - `HEALTHFLOW_WEB_DIST` may name an already built folder (stack tests, or CI that built once).
 */
import { Duration, Fn } from "aws-cdk-lib";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import * as ssm from "aws-cdk-lib/aws-ssm";
import { type StackContext, StaticSite, use } from "sst/constructs";
import { Api } from "./Api.js";
import { publicUrlParameterPath } from "./public-url.js";
import { apiRuntime, stageSettings } from "./stage.js";
import { Video } from "./Video.js";

const SPA_REWRITE = `
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.startsWith("/.well-known/")) return request;
  var last = uri.split("/").pop();
  // A path without a file extension is a client-side route: serve the app shell.
  if (last.indexOf(".") === -1) request.uri = "/index.html";
  return request;
}`;

export function Web({ stack, app }: StackContext) {
  const runtime = apiRuntime(stageSettings(app.stage), app.mode);
  let apiBehavior: cloudfront.BehaviorOptions;
  let apiUrl: string;
  if (runtime === "eks") {
    const { apiOrigin } = use(Video);
    apiUrl = `${apiOrigin.https ? "https" : "http"}://${apiOrigin.domainName}`;
    apiBehavior = {
      origin: new origins.HttpOrigin(apiOrigin.domainName, {
        protocolPolicy: apiOrigin.https
          ? cloudfront.OriginProtocolPolicy.HTTPS_ONLY
          : cloudfront.OriginProtocolPolicy.HTTP_ONLY,
        readTimeout: Duration.seconds(30),
      }),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Cookies, query, Origin and Authorization reach the pods. Host stays the origin's own name
      // (CloudFront checks the origin's certificate against the Host it sends). CloudFront puts the
      // viewer's address in X-Forwarded-For, the load balancer appends CloudFront's: the pods trust
      // those two hops (HEALTHFLOW_TRUST_PROXY=2, k8s/base/core/deployment.yaml).
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
  } else {
    const { api } = use(Api);
    apiUrl = api.url;
    apiBehavior = {
      origin: new origins.HttpOrigin(Fn.select(2, Fn.split("/", api.url)), {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        readTimeout: Duration.seconds(30),
      }),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Cookies, query, Origin and Authorization reach the API; Host must stay API Gateway's own.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
  }

  const prebuilt = process.env.HEALTHFLOW_WEB_DIST;
  const site = new StaticSite(stack, "Web", {
    path: prebuilt ?? "packages/web",
    buildCommand: prebuilt ? undefined : "npm run build",
    buildOutput: prebuilt ? "." : "dist",
    // The app calls same-origin /api paths; the direct API URL is there for tooling that wants it.
    environment: { VITE_API_URL: apiUrl },
    // `sst dev` does not deploy the site; the Vite dev server (which proxies /api) stands in.
    dev: { url: "http://localhost:5173" },
    cdk: {
      distribution: {
        comment: `HealthFlow web (${stack.stage})`,
        errorResponses: [],
        defaultBehavior: {
          functionAssociations: [
            {
              function: new cloudfront.Function(stack, "SpaRewrite", {
                code: cloudfront.FunctionCode.fromInline(SPA_REWRITE),
                runtime: cloudfront.FunctionRuntime.JS_2_0,
              }),
              eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            },
          ],
        },
        additionalBehaviors: {
          "/api/*": apiBehavior,
          "/fhir/*": apiBehavior,
          "/cal/*": apiBehavior,
          "/healthz": apiBehavior,
          "/readyz": apiBehavior,
        },
      },
    },
  });

  new ssm.StringParameter(stack, "PublicUrl", {
    parameterName: publicUrlParameterPath(),
    stringValue: site.url!,
    description: "The web origin the API accepts cookie-borne writes from (HEALTHFLOW_PUBLIC_URL)",
  });

  stack.addOutputs({ WebUrl: site.url, ApiRuntime: runtime });
  return { site };
}
