# The web app as a self-contained image (Next.js standalone output). Build from the repository root:
#   docker build -f deploy/web.Dockerfile -t duplex-web .
# Point it at an api at run time: docker run -e DUPLEX_API_URL=https://api.example.com duplex-web
# Node 26 is the Active LTS line (since 2026-10-28).
FROM node:26-trixie-slim AS build
WORKDIR /repo
RUN npm install --global pnpm@12.21.0
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
RUN pnpm install --frozen-lockfile && pnpm turbo run build --filter=@duplex/web

FROM node:26-trixie-slim
WORKDIR /app
COPY --from=build /repo/apps/web/.next/standalone ./
ENV NODE_ENV=production PORT=3000 HOSTNAME=0.0.0.0 NEXT_TELEMETRY_DISABLED=1
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "apps/web/server.js"]
