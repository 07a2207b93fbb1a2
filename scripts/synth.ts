/**
 * `npm run synth -- --stage <name>`: the real `sst build` (bundling, CDK synthesis) with no AWS
 * account and no network. SST asks AWS exactly two things while building: who am I (STS
 * GetCallerIdentity) and which bootstrap stacks exist (CloudFormation DescribeStacks for
 * CDKToolkit and SSTBootstrap). A loopback stub answers those with fixed values; dummy
 * credentials and AWS_ENDPOINT_URL point the SDK at it. The availability-zone lookup is answered
 * by cdk.context.json (committed) for the stub's account. Templates land in .sst/dist/.
 *
 * Any other AWS call makes the stub answer 400 and is reported, so a new lookup cannot slip in
 * unnoticed.
 */
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const STUB_ACCOUNT = "123456789012";
export const DEFAULT_REGION = "us-east-1";

/**
 * What prod refuses to synthesize without (stacks/stage.ts), as example values for an offline
 * build (`--example-settings`, used by CI and the tests). Never deploy with these.
 */
export const EXAMPLE_PROD_SETTINGS: Record<string, string> = {
  HEALTHFLOW_DOMAIN: "clinic.example.org",
  HEALTHFLOW_HOSTED_ZONE_ID: "Z0123456789EXAMPLE",
  HEALTHFLOW_DEPLOY_ROLE_ARN: `arn:aws:iam::${STUB_ACCOUNT}:role/healthflow-deploy`,
  HEALTHFLOW_JITSI_SECRET_ARN: `arn:aws:secretsmanager:${DEFAULT_REGION}:${STUB_ACCOUNT}:secret:healthflow/prod/jitsi-AbCdEf`,
  HEALTHFLOW_CLUSTER_ADMIN_ARNS: `arn:aws:iam::${STUB_ACCOUNT}:role/oncall`,
  HEALTHFLOW_EKS_PUBLIC_CIDRS: "203.0.113.0/24",
};

/** Outputs SST 2.49 checks: CDK bootstrap >= 14 and SST bootstrap 7.4, each with its bucket. */
const BOOTSTRAP_STACKS: Record<string, Record<string, string>> = {
  CDKToolkit: { BootstrapVersion: "21", BucketName: `cdk-hnb659fds-assets-${STUB_ACCOUNT}-synth` },
  SSTBootstrap: { Version: "7.4", BucketName: `sstbootstrap-synth-${STUB_ACCOUNT}` },
};

export interface AwsStub {
  url: string;
  /** Calls the stub could not answer (service action), for the caller to report. */
  unexpected: string[];
  close(): Promise<void>;
}

function xml(action: string, namespace: string, result: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<${action}Response xmlns="${namespace}">
  <${action}Result>${result}</${action}Result>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</${action}Response>`;
}

function describeStack(name: string, region: string): string | undefined {
  const outputs = BOOTSTRAP_STACKS[name];
  if (!outputs) return undefined;
  const members = Object.entries(outputs)
    .map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`)
    .join("");
  return `<Stacks><member>
    <StackName>${name}</StackName>
    <StackId>arn:aws:cloudformation:${region}:${STUB_ACCOUNT}:stack/${name}/00000000-0000-0000-0000-000000000000</StackId>
    <StackStatus>CREATE_COMPLETE</StackStatus>
    <CreationTime>2024-01-01T00:00:00Z</CreationTime>
    <Outputs>${members}</Outputs>
  </member></Stacks>`;
}

/** Starts the loopback stub on a free port. */
export async function startAwsStub(region = DEFAULT_REGION): Promise<AwsStub> {
  const unexpected: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const params = new URLSearchParams(body);
      const action = params.get("Action") ?? req.headers["x-amz-target"]?.toString() ?? "(none)";
      const reply = (status: number, text: string) => {
        res.writeHead(status, { "content-type": "text/xml" });
        res.end(text);
      };
      if (action === "GetCallerIdentity") {
        return reply(
          200,
          xml(
            "GetCallerIdentity",
            "https://sts.amazonaws.com/doc/2011-06-15/",
            `<Arn>arn:aws:iam::${STUB_ACCOUNT}:user/synth</Arn><UserId>AIDASYNTHSTUB</UserId><Account>${STUB_ACCOUNT}</Account>`,
          ),
        );
      }
      if (action === "DescribeStacks") {
        const stack = describeStack(params.get("StackName") ?? "", region);
        if (stack)
          return reply(200, xml("DescribeStacks", "http://cloudformation.amazonaws.com/doc/2010-05-15/", stack));
      }
      unexpected.push(`${action} ${params.get("StackName") ?? ""}`.trim());
      reply(
        400,
        `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>synth stub: ${action} is not available offline</Message></Error><RequestId>0</RequestId></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    unexpected,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The environment `sst build` runs in: dummy credentials, the stub as every AWS endpoint. */
export function offlineEnv(stubUrl: string, region: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const key of ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"])
    delete env[key];
  return {
    ...env,
    AWS_ACCESS_KEY_ID: "AKIASYNTHOFFLINE0000",
    AWS_SECRET_ACCESS_KEY: "synth-offline-not-a-secret",
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ENDPOINT_URL: stubUrl,
    AWS_EC2_METADATA_DISABLED: "true",
    HEALTHFLOW_AWS_REGION: region,
    SST_TELEMETRY_DISABLED: "1",
  };
}

/**
 * `sst build` synthesizes in SST's deploy mode only. `sst dev` synthesizes the same app in dev mode
 * (live Lambdas, no site), and some mistakes only show there (a live function inside a Script).
 * This does what `sst dev` does before it deploys: load sst.config.ts and synthesize in mode dev.
 */
const DEV_MODE_BUILD = `
const [stage, region, out] = process.argv.slice(1);
const { initProject, useProject } = await import("sst/project.js");
await initProject({ stage, region });
const { Stacks } = await import("sst/stacks/index.js");
const [, config] = await Stacks.load(useProject().paths.config);
const assembly = await Stacks.synth({ fn: config.stacks, mode: "dev", buildDir: out });
console.log("sst dev synthesis: " + assembly.stacks.length + " stacks to " + out);
`;

export type SynthMode = "deploy" | "dev";

/** Runs `sst build --stage <stage>` (mode deploy) or the dev-mode synthesis against the stub. */
export interface SynthResult {
  code: number;
  /** AWS calls the stub could not answer; empty when the build was fully offline. */
  unexpected: string[];
  /** Where the templates are: .sst/dist (deploy), .sst/dist-dev (dev). */
  dir: string;
}

export async function synth(
  stage: string,
  options: { region?: string; quiet?: boolean; mode?: SynthMode; settings?: Record<string, string> } = {},
): Promise<SynthResult> {
  const region = options.region ?? DEFAULT_REGION;
  const mode = options.mode ?? "deploy";
  const stub = await startAwsStub(region);
  const root = fileURLToPath(new URL("..", import.meta.url));
  const dir = join(root, ".sst", mode === "dev" ? "dist-dev" : "dist");
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const [cmd, args] =
        mode === "dev"
          ? [process.execPath, ["--input-type=module", "-e", DEV_MODE_BUILD, stage, region, dir]]
          : ["npx", ["sst", "build", "--stage", stage, "--region", region]];
      const child = spawn(cmd, args as string[], {
        cwd: root,
        env: { ...offlineEnv(stub.url, region), ...options.settings },
        stdio: options.quiet ? ["ignore", "pipe", "pipe"] : "inherit",
      });
      let output = "";
      child.stdout?.on("data", (d) => {
        output += d;
      });
      child.stderr?.on("data", (d) => {
        output += d;
      });
      child.on("error", reject);
      child.on("exit", (c) => {
        if (c !== 0 && options.quiet) process.stderr.write(output);
        resolve(c ?? 1);
      });
    });
    if (stub.unexpected.length) {
      process.stderr.write(`synth: AWS calls the offline stub could not answer: ${stub.unexpected.join(", ")}\n`);
    }
    return { code, unexpected: [...stub.unexpected], dir };
  } finally {
    await stub.close();
  }
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const stage = argValue(args, "--stage");
  const mode = (argValue(args, "--mode") ?? "deploy") as SynthMode;
  if (!stage || !["deploy", "dev"].includes(mode)) {
    process.stderr.write(
      "usage: npm run synth -- --stage <name> [--mode deploy|dev] [--region <region>] [--example-settings]\n",
    );
    process.exit(2);
  }
  const result = await synth(stage, {
    region: argValue(args, "--region"),
    mode,
    // Example values for what prod requires, for an offline build only (CI).
    settings: args.includes("--example-settings") ? EXAMPLE_PROD_SETTINGS : undefined,
  });
  // An unanswered AWS call means the build depended on the network: fail rather than half-work.
  process.exitCode = result.code !== 0 ? result.code : result.unexpected.length ? 1 : 0;
}
