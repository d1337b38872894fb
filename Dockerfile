# vpn-access-bot image. The app runs TypeScript directly with tsx (`npm start` = `tsx src/main.ts`),
# so there is no compile step: stage 1 installs the production dependencies from the lock file,
# stage 2 is the runtime image with only what the app needs, running as the unprivileged `node` user.

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
COPY --chown=node:node package.json package-lock.json tsconfig.json ./
COPY --chown=node:node src ./src
USER node
EXPOSE 3000
# Liveness: GET /healthz answers 200 while the process is up (node:20-slim has no curl; Node 20 has fetch).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["npm", "start"]
