// The console's build (`npm run build` → dist/console, served by the API) and dev server
// (`npm run console:dev`: Vite on :5173, API calls proxied to HUB_API_URL, default http://127.0.0.1:3000).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.HUB_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)), emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 800 },
  server: {
    port: 5173,
    proxy: Object.fromEntries(['/graphql', '/console/config.json', '/console/v1', '/delivery-log/v1', '/health'].map((p) => [p, { target: api, changeOrigin: false }])),
  },
});
