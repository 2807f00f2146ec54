import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// No @vitejs/plugin-react: Oxc's automatic JSX runtime (Vite 8 transforms with Oxc, not esbuild) is all this small app
// needs (no Babel).
const root = fileURLToPath(new URL('.', import.meta.url));
export default defineConfig({
  root,
  // the one module of contracts the browser uses: the message catalogs and the translator (SPEC §14); the rest of
  // contracts is server code
  resolve: { alias: { '@closeloop/contracts/i18n': fileURLToPath(new URL('../../../libs/contracts/src/i18n/index.ts', import.meta.url)) } },
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: {
    // `vite` dev server: the API is the console service on CONSOLE_PORT
    proxy: { '/api': `http://127.0.0.1:${process.env.CONSOLE_PORT ?? 3000}` },
  },
});
