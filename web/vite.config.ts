import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const here = path.dirname(fileURLToPath(import.meta.url));
const version = JSON.parse(fs.readFileSync(path.join(here, '..', 'package.json'), 'utf8')).version;

export default defineConfig({
  root: here,
  publicDir: path.join(here, 'public'),
  define: { __APP_VERSION__: JSON.stringify(version) },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 800,
    // The resident's phone page is an entry of its own (its own manifest and start URL, a small bundle).
    rollupOptions: { input: { main: path.join(here, 'index.html'), phone: path.join(here, 'phone', 'index.html') } },
  },
  plugins: [
    VitePWA({
      // A new version takes over by itself; queued records live in IndexedDB and are not touched by it.
      registerType: 'autoUpdate',
      injectRegister: 'script-defer',
      includeAssets: ['icon.svg', 'print.js', 'phone.webmanifest'],
      manifest: {
        name: '门岗 Gatepost',
        short_name: '门岗',
        description: '小区门岗与消杀记录 · Gate checks and disinfection rounds',
        lang: 'zh-CN',
        start_url: '/tablet',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        background_color: '#0f4c81',
        theme_color: '#0f4c81',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/index.html',
        // The API and the print pages are live; only the app shell is cached.
        // The phone page is its own shell (precached as phone/index.html), never the tablet's.
        navigateFallbackDenylist: [/^\/api\//, /^\/healthz/, /^\/phone\//],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
  server: { proxy: { '/api': 'http://localhost:8080', '/healthz': 'http://localhost:8080' } },
});
