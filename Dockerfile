# The GoAudits pipeline image: the Temporal worker by default; the same image runs the client
# (`node dist/client/main.js schedules`) and the simulator (`node dist/simulator/main.js`).
#   docker build --build-arg GIT_SHA=$(git rev-parse HEAD) -t goaudits-temporal .
ARG NODE_IMAGE=node:24-bookworm-slim

# Node plus what better-sqlite3 needs to compile when no prebuilt binary downloads.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

# Compiles TypeScript to dist/ and bundles the workflows once, so the worker starts without webpack.
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && node scripts/bundle-workflows.js

# Production dependencies only, native modules built for this same base image.
FROM toolchain AS production-dependencies
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# The SDK's native connection checks Temporal's TLS certificate against the system store only,
# which the slim image lacks: without it, TLS to Temporal Cloud fails (NativeCertsNotFound).
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates \
  && rm -rf /var/lib/apt/lists/*
ARG GIT_SHA=""
# A small young generation and a capped old one keep the worker near 235-255 MiB RSS through a
# 20,000-report backfill (bench/throughput.ts passes the same options to its workers).
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=2" \
    GIT_SHA=${GIT_SHA} \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
# The probes (HEALTH_PORT) and the Prometheus metrics (METRICS_PORT).
EXPOSE 8080 9464
CMD ["node", "dist/worker/main.js"]
