# syntax=docker/dockerfile:1
#
# One image for every Closeloop service and for the migrations (deploy/README.md):
#   node services/<ingest|scoring|tickets|notification|console>/dist/main.js
#   node services/<scoring|tickets|notification>/dist/migrate.js
# The runtime keeps the npm-workspace layout (root package.json + lock, each workspace's package.json and dist/)
# because @closeloop/* packages resolve through node_modules/@closeloop/* links to libs/* and services/*.
ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Only the package manifests: the install layers below stay cached (npm install, not npm ci: npm 11 lockfiles omit other platforms' optional binaries and npm ci then refuses them) until a dependency changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -mindepth 1 -maxdepth 1 ! -name package.json ! -name package-lock.json ! -name libs ! -name services -exec rm -rf {} + \
 && find libs services -mindepth 2 -maxdepth 2 ! -name package.json -exec rm -rf {} +

# 2. Build every workspace (swc → dist/) with all dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /src ./
RUN --mount=type=cache,target=/root/.npm npm install --no-audit --no-fund
COPY . .
RUN npm run build
# Keep what runs: each workspace's package.json and every dist/ folder inside it (e.g. a console's web/dist).
RUN mkdir -p /out \
 && for dir in libs/* services/*; do \
      mkdir -p "/out/$dir" && cp "$dir/package.json" "/out/$dir/" \
      && find "$dir" -name node_modules -prune -o -type d -name dist -prune -print \
         | while read -r dist; do mkdir -p "/out/$(dirname "$dist")" && cp -a "$dist" "/out/$dist"; done; \
    done \
 && test -f /out/services/ingest/dist/main.js

# 3. Production dependencies only; npm install also links the workspaces into node_modules/@closeloop.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY --from=manifests /src ./
RUN --mount=type=cache,target=/root/.npm npm install --omit=dev --no-audit --no-fund

# 4. Runtime: no compiler, no dev dependencies, no sources; runs as the image's unprivileged `node` user (uid 1000).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    NODE_OPTIONS=--max-old-space-size=128
WORKDIR /app
COPY --from=prod-deps /app ./
COPY --from=build /out ./
# The example routing file, at the default CLOSELOOP_CONFIG path (config/closeloop.yaml); mount your own over it.
COPY config ./config
USER node
# Services bind HOST (0.0.0.0 here) on their own port: ingest 3001, tickets 3002, notification 3003, scoring 3004, console 3000.
EXPOSE 3000 3001 3002 3003 3004
CMD ["node", "-e", "console.error('closeloop: choose a service, e.g. node services/ingest/dist/main.js'); process.exit(64)"]
