import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The service the dev server forwards /api to. The Origin header is passed on
// as the browser sent it (no changeOrigin), so the service's FRONTEND_URL
// check sees http://localhost:5173 just as it would behind the real proxy.
const apiTarget = process.env.SETTINGS_API_URL || 'http://127.0.0.1:8000'

export default defineConfig({
  plugins: [vue()],
  // Every component uses <script setup>: the Options API support of Vue's
  // runtime is dead weight in the bundle (create-vue documents this flag).
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    host: 'localhost',
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: apiTarget },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
})
