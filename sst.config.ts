/**
 * HealthFlow on AWS, one SST v2 app with stages (`--stage dev`, `--stage prod`, personal stages).
 * Stacks in dependency order; they exchange resources through `use()`.
 * Region: `--region`, else HEALTHFLOW_AWS_REGION, else us-east-1.
 *
 * Which stacks a stage gets is one setting, HEALTHFLOW_CLUSTER (stacks/stage.ts, docs/deploy.md):
 * - `eks` (default for dev and prod): Network, Database, Video (EKS), Web; the API runs in the
 *   core pods behind CloudFront. Under `sst dev` the Api stack (Lambda, live) is added and serves.
 * - `none` (default for any other stage): Network, Database, Api (Lambda), Web. No cluster, no NAT.
 */
import type { SSTConfig } from "sst";
import { Api } from "./stacks/Api.js";
import { Database } from "./stacks/Database.js";
import { Network } from "./stacks/Network.js";
import { apiRuntime, stageSettings } from "./stacks/stage.js";
import { Video } from "./stacks/Video.js";
import { Web } from "./stacks/Web.js";

export default {
  config(input) {
    return { name: "healthflow", region: input.region ?? process.env.HEALTHFLOW_AWS_REGION ?? "us-east-1" };
  },
  stacks(app) {
    app.setDefaultFunctionProps({ runtime: "nodejs22.x" });
    // Dev stages leave nothing behind on `sst remove`. Prod keeps its defaults: the database
    // snapshots and the image repositories stay (their own removal policies), the rest goes.
    if (app.stage !== "prod") app.setDefaultRemovalPolicy("destroy");
    const settings = stageSettings(app.stage);
    app.stack(Network).stack(Database);
    if (settings.cluster === "eks") app.stack(Video);
    if (apiRuntime(settings, app.mode) === "lambda") app.stack(Api);
    app.stack(Web);
  },
} satisfies SSTConfig;
