import { defaultClientConditions, defineConfig } from 'vite';

// Served by config-api at /admin/ (index.html for every /admin/... path, hashed assets cached for a year).
export default defineConfig({
  base: '/admin/',
  // Workspace packages (@hookline/api-client) are bundled from their TypeScript source: the page needs no
  // package build first. The condition is the one the packages' `exports` name their source with.
  resolve: { conditions: ['@hookline/source', ...defaultClientConditions] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: true, modulePreload: { polyfill: false } },
  server: { proxy: { '/api': 'http://127.0.0.1:8200' } },
});
