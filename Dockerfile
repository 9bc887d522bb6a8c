# One image for api, worker, simulators and the db tool. Node 24 (LTS).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY bin ./bin
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/bin ./bin
COPY --from=build /app/libs/mina-meddelanden/contract ./libs/mina-meddelanden/contract
COPY --from=build /app/apps/simulators/seed ./apps/simulators/seed
COPY --from=build /app/deploy ./deploy
USER node
CMD ["node", "dist/apps/api/src/main.js"]
