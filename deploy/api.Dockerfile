# The api as a self-contained image. Build from the repository root:
#   docker build -f deploy/api.Dockerfile -t duplex-api .
# Node 26 is the Active LTS line (since 2026-10-28). deploy/compose.yaml runs three of these;
# apps/api/test/deploy-config.test.ts checks that ENV names settings of the api's config, that
# EXPOSE, PORT and nginx's upstreams agree, and that the HEALTHCHECK path is a real endpoint.
FROM node:26-trixie-slim AS build
WORKDIR /repo
# The embedded store's driver (better-sqlite3) compiles when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm install --global pnpm@12.21.0
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm turbo run build --filter=@duplex/api \
 && pnpm --filter @duplex/api deploy --prod /out

FROM node:26-trixie-slim
WORKDIR /app
COPY --from=build /out ./
ENV NODE_ENV=production PORT=3001 HOST=0.0.0.0 DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--enable-source-maps", "dist/main.js"]
