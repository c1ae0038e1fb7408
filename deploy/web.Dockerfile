# The web app as a self-contained image (Next.js standalone output). Build from the repository root:
#   docker build -f deploy/web.Dockerfile -t duplex-web .
# Point it at an api at run time: docker run -e DUPLEX_API_URL=https://api.example.com duplex-web
FROM node:20-bookworm-slim AS build
WORKDIR /repo
RUN npm install --global pnpm@12.21.0
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
RUN pnpm install --frozen-lockfile && pnpm turbo run build --filter=@duplex/web

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /repo/apps/web/.next/standalone ./
ENV NODE_ENV=production PORT=3000 HOSTNAME=0.0.0.0 NEXT_TELEMETRY_DISABLED=1
USER node
EXPOSE 3000
CMD ["node", "apps/web/server.js"]
