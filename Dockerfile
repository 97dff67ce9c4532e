# M2M ILP Connector: production image (linux/amd64 and linux/arm64).
#
# There is deliberately no "# syntax=" directive: with one, BuildKit hands the
# build to the docker/dockerfile frontend image pulled from Docker Hub, which
# an air-gapped builder cannot fetch. BuildKit's builtin Dockerfile frontend
# already supports RUN --mount=type=cache and $BUILDPLATFORM.
#
# The two build stages run on the build machine's own platform
# ($BUILDPLATFORM), so npm ci and esbuild never run under QEMU. Only the
# runtime stage is built per target platform. It receives its production
# node_modules from the builder stage; that is arch-neutral because every
# production dependency is pure JavaScript (the builder stage fails the build
# if a native addon appears, and internal/policy checks package-lock.json).
#
# This Dockerfile uses only node, npm and POSIX sh, no apk: it must also build
# on the Debian-based node:22-alpine stand-in used in air-gapped CI.

# ---- builder: production dependencies only --------------------------------
FROM --platform=$BUILDPLATFORM node:22-alpine AS builder
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# Guard for copying node_modules across architectures: no native addons.
RUN native="$(find node_modules \( -name '*.node' -o -name binding.gyp \) -print)"; \
    if [ -n "$native" ]; then \
      echo "error: native production dependency found; node_modules built on $(uname -m) cannot be copied into other architectures:"; \
      echo "$native"; \
      exit 1; \
    fi

# ---- ui-builder: bundle the operator UI with esbuild -----------------------
FROM --platform=$BUILDPLATFORM node:22-alpine AS ui-builder
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY ui/ ./ui/
RUN npm run build:ui \
    && if [ -n "$(find dist/ui -name '*.map' -print)" ]; then echo "error: source maps in dist/ui"; exit 1; fi

# ---- runtime: per target platform ------------------------------------------
FROM node:22-alpine AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Files stay owned by root: the service user can read but not modify its code.
COPY package.json ./
COPY --from=builder /app/node_modules ./node_modules
COPY src/ ./src/
COPY --from=ui-builder /app/dist/ui ./dist/ui
USER node
EXPOSE 3000
# node itself probes /health: the image needs no curl or wget.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["node", "src/healthcheck.js"]
# The service handles SIGTERM/SIGINT itself (graceful shutdown). Run with
# `docker run --init` or compose `init: true` to reap zombies as PID 1.
STOPSIGNAL SIGTERM
CMD ["node", "src/server.js"]
