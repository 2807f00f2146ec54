import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// No @vitejs/plugin-react: esbuild's automatic JSX runtime is all this small app needs (no native add-ons, no Babel).
const root = fileURLToPath(new URL('.', import.meta.url));
export default defineConfig({
  root,
  esbuild: { jsx: 'automatic' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: {
    // `vite` dev server: the API is the console service on CONSOLE_PORT
    proxy: { '/api': `http://127.0.0.1:${process.env.CONSOLE_PORT ?? 3000}` },
  },
});
