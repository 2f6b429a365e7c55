# Kanaria operator image. The TypeScript sources run as they are on Node 24 (type stripping);
# there is no build step, only the production dependencies.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Dev dependencies (including the `node` npm package) are left out: the base image brings Node.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin/ ./bin/
COPY src/ ./src/
COPY charts/kanaria/crds/ ./charts/kanaria/crds/
# The files stay owned by root: the operator's own user can read them but not change them.
RUN groupadd --system --gid 10001 kanaria \
  && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin kanaria
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "bin/kanaria.js"]
CMD ["controller"]
