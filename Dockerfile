# syntax=docker/dockerfile:1.7
# The two pod images, one file, two targets (build context: the repository root):
#   docker build --target core  -t <registry>/healthflow-core:<sha>  .
#   docker build --target video -t <registry>/healthflow-video:<sha> .
# Build stages install the workspace and bundle with esbuild (scripts/bundle.ts); the runtime
# stages are distroless Node 22 running as the unprivileged user 65532 with only the bundle: no
# shell, no npm, no node_modules, nothing to write to (the pods mount an emptyDir at /tmp).

FROM node:22-bookworm-slim AS deps
WORKDIR /src
ENV CI=true NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/functions/package.json packages/functions/
COPY packages/video/package.json packages/video/
COPY packages/web/package.json packages/web/
# --ignore-scripts: nothing we bundle needs an install script (esbuild's binary comes as an
# optional dependency package).
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts
COPY tsconfig.base.json tsconfig.json ./
COPY scripts/bundle.ts scripts/
COPY packages/core packages/core
COPY packages/functions packages/functions
COPY packages/video packages/video

FROM deps AS build-core
RUN npx tsx scripts/bundle.ts --only core --outdir /out

FROM deps AS build-video
RUN npx tsx scripts/bundle.ts --only video --outdir /out

FROM gcr.io/distroless/nodejs22-debian12:nonroot AS core
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 HEALTHFLOW_DATA_DIR=/tmp/healthflow LOG_FORMAT=json
COPY --from=build-core --chown=0:0 /out/core/ ./
USER 65532:65532
EXPOSE 3000
# The image's entrypoint is node; the migrate Job runs the same image with args ["migrate.mjs"].
CMD ["server.mjs"]

FROM gcr.io/distroless/nodejs22-debian12:nonroot AS video
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3001 HEALTHFLOW_DATA_DIR=/tmp/healthflow LOG_FORMAT=json
COPY --from=build-video --chown=0:0 /out/video/ ./
USER 65532:65532
EXPOSE 3001
CMD ["server.mjs"]
