# Kanaria operator image: the operator runs as compiled JavaScript (`npm run build`, dist/), which
# gets ready with less CPU and holds less memory than running the TypeScript sources by Node's type
# stripping (bench/FINDINGS.md); the image has no sources, only dist/ and the production dependencies.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# All dependencies, for the compiler. Without install scripts the dev dependency `node` has no binary:
# its link goes, so that `npm run` finds the base image's Node.
RUN npm ci --ignore-scripts --no-audit --no-fund && rm -f node_modules/.bin/node
COPY tsconfig.json tsconfig.build.json ./
COPY src/ ./src/
RUN npm run build

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
COPY --from=build /app/dist/ ./dist/
COPY charts/kanaria/crds/ ./charts/kanaria/crds/
# The files stay owned by root: the operator's own user can read them but not change them.
RUN groupadd --system --gid 10001 kanaria \
  && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin kanaria
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "bin/kanaria.js"]
CMD ["controller"]
