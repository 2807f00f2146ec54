# syntax=docker/dockerfile:1
#
# One image for every Closeloop service and for the migrations (deploy/README.md):
#   node services/<ingest|scoring|tickets|notification|console>/dist/main.js
#   node services/<scoring|tickets|notification>/dist/migrate.js
# The runtime keeps the npm-workspace layout (root package.json + lock, each workspace's package.json and dist/)
# because @closeloop/* packages resolve through node_modules/@closeloop/* links to libs/* and services/*.
ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Only the package manifests: the install layers below stay cached until a dependency changes.
#    Both installs are `npm ci`: exactly package-lock.json, or the build fails (package.json and the lock disagree, or the
#    lock lacks a package). This is where strictness pays: what runs is what was tested. Locally `npm start` / `npm test`
#    use `npm install` (scripts/lib/setup.mjs), because an `npm install` on a machine whose node_modules already holds one
#    platform's native binaries can write a lock without the other platforms' (@swc/core-darwin-*, @nx/nx-win32-*, …),
#    and `npm ci` then refuses it on every platform, this Linux image included (commit 6ef8533 fell back to
#    `npm install` here for that). Instead, `npm test` runs this same `npm ci` offline on these same manifests
#    (deploy/test/compose.spec.ts, "has a lockfile the image's npm ci accepts"), so such a lock fails the tests before
#    it can fail an image build; the cure is `npm install --package-lock-only` in a copy without node_modules.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -mindepth 1 -maxdepth 1 ! -name package.json ! -name package-lock.json ! -name libs ! -name services -exec rm -rf {} + \
 && find libs services -mindepth 2 -maxdepth 2 ! -name package.json -exec rm -rf {} +

# 2. Build every workspace (swc → dist/) with all dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /src ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
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

# 3. Production dependencies only (same lockfile, dev dependencies left out); npm ci also links the workspaces into node_modules/@closeloop.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY --from=manifests /src ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --omit=dev

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
