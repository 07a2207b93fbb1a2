/**
 * HealthFlow on AWS, one SST v2 app with stages (`--stage dev`, `--stage prod`, personal stages).
 * Stacks in dependency order; they exchange resources through `use()`.
 * Region: `--region`, else HEALTHFLOW_AWS_REGION, else us-east-1.
 */
import type { SSTConfig } from "sst";
import { Api } from "./stacks/Api.js";
import { Database } from "./stacks/Database.js";
import { Network } from "./stacks/Network.js";
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
    app.stack(Network).stack(Database).stack(Api).stack(Web).stack(Video);
  },
} satisfies SSTConfig;
