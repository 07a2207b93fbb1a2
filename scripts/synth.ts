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
import { fileURLToPath } from "node:url";

export const STUB_ACCOUNT = "123456789012";
export const DEFAULT_REGION = "us-east-1";

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

/** Runs `sst build --stage <stage>` against the stub. */
export interface SynthResult {
  code: number;
  /** AWS calls the stub could not answer; empty when the build was fully offline. */
  unexpected: string[];
}

export async function synth(stage: string, options: { region?: string; quiet?: boolean } = {}): Promise<SynthResult> {
  const region = options.region ?? DEFAULT_REGION;
  const stub = await startAwsStub(region);
  try {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn("npx", ["sst", "build", "--stage", stage, "--region", region], {
        cwd: root,
        env: offlineEnv(stub.url, region),
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
    return { code, unexpected: [...stub.unexpected] };
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
  if (!stage) {
    process.stderr.write("usage: npm run synth -- --stage <name> [--region <region>]\n");
    process.exit(2);
  }
  const result = await synth(stage, { region: argValue(args, "--region") });
  // An unanswered AWS call means the build depended on the network: fail rather than half-work.
  process.exitCode = result.code !== 0 ? result.code : result.unexpected.length ? 1 : 0;
}
