# The IdP image: Node 22 LTS (oidc-provider 9's supported runtime), the compiled build and production dependencies.
FROM node:22-bookworm-slim AS toolchain
WORKDIR /app
# better-sqlite3 falls back to a source build when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./

# `npm run build` (tsc) needs the dev dependencies; only its output, build/, leaves this stage.
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM toolchain AS deps
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Two malloc arenas instead of one per thread: the threads' arenas held several MB of freed memory (docs/production.md).
ENV MALLOC_ARENA_MAX=2
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/build ./build
COPY views ./views
COPY public ./public
COPY config ./config
RUN mkdir -p data && chown node:node data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# What `npm start` runs, without npm in between (signals reach node directly). tsx stays a production dependency:
# it is loaded only for an operator's TypeScript module (a profile transform, a legacy connector).
CMD ["node", "--max-semi-space-size=32", "--enable-source-maps", "build/main.js"]
