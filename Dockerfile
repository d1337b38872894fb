# vpn-access-bot image. Stage 1 compiles src/ with tsc (`npm run build` → dist/); stage 2 installs only the
# production dependencies from the lock file; the runtime image holds dist/ and those, runs as the
# unprivileged `node` user, and starts `node dist/main.js` directly: SIGTERM from `docker stop` reaches the
# bot itself (no npm or shell in between), which hands its in-flight jobs back and exits within 20 s.

# ---- build: all dependencies, then tsc ----
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- deps: exact production dependencies from package-lock.json ----
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime ----
FROM node:20-slim
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
USER node
EXPOSE 3000
# Alive and ready: /healthz answers while the process is up, /readyz only when Redis and Slack auth answer.
# node:20-slim has no curl; Node 20 has fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "Promise.all(['/healthz','/readyz'].map((p)=>fetch('http://127.0.0.1:'+(process.env.PORT||3000)+p))).then((rs)=>process.exit(rs.every((r)=>r.ok)?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
