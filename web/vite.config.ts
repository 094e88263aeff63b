import { defineConfig } from 'vite';

// Served by config-api at /admin/ (index.html for every /admin/... path, hashed assets cached for a year).
export default defineConfig({
  base: '/admin/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: true, modulePreload: { polyfill: false } },
  server: { proxy: { '/api': 'http://127.0.0.1:8200' } },
});
