# syntax=docker/dockerfile:1
# dura's image for the worker, the CLI and the web pages (`dura web`): built in one stage with the
# compilers better-sqlite3 needs, run in a slim one as the unprivileged `node` user with production
# dependencies only.
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# `npm ci` trips over optional platform packages in the lockfile (an npm bug), so install from it.
RUN npm install --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY common ./common
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY client ./client
COPY web ./web
COPY scripts ./scripts
COPY test ./test
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/lib ./lib
COPY --from=build --chown=root:root /app/bin ./bin
COPY --from=build --chown=root:root /app/activities/mail/templates ./activities/mail/templates
# The pages' templates and stylesheet, read at run time from web/ beside lib/ (web/server.ts WEB_DIR).
COPY --from=build --chown=root:root /app/web/views ./web/views
COPY --from=build --chown=root:root /app/web/assets ./web/assets
# The outbox (used when SMTP_URL is unset) is the only place the worker writes.
RUN mkdir -p /app/data/outbox && chown -R node:node /app/data
USER node
CMD ["node", "lib/worker/main.js"]
