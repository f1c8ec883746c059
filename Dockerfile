# GREENFOOD app image: migrate job and Temporal workers, run from TypeScript source with tsx (no build step).
# Debian slim (glibc), not Alpine: @temporalio/core-bridge ships prebuilt glibc binaries only.
FROM node:20-slim

WORKDIR /app

# Manifests first, so source edits reuse the cached `npm ci` layer.
COPY package.json package-lock.json ./
# Runtime needs only `dependencies` (tsx, node-pg-migrate and the Temporal SDK are among them).
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .

ENV NODE_ENV=production
USER node

# docker-compose.yml sets the command per service; this default runs the crew worker.
CMD ["npx", "tsx", "src/workers/crews.ts"]
