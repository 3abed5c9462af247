import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/**
 * sonner inserts its stylesheet as an inline <style> when it loads, which the studio's
 * Content-Security-Policy (`style-src 'self'`) refuses, reporting a violation on every page. The app
 * bundles the same sheet as a file (components/ui/Toast.tsx), so the build drops the insertion; the
 * build fails if sonner stops inserting it this way (a new version to look at).
 */
function sonnerWithoutInlineStyle(): Plugin {
  return {
    name: "sonner-without-inline-style",
    apply: "build",
    transform(code, id) {
      if (!/[\\/]sonner[\\/]dist[\\/]index\.mjs$/.test(id)) return null;
      const start = code.indexOf('__insertCSS("');
      const end = start < 0 ? -1 : code.indexOf('");', start);
      if (end < 0) this.error("sonner no longer inserts its stylesheet as expected");
      return { code: code.slice(0, start) + code.slice(end + 3), map: null };
    },
  };
}

export default defineConfig({
  plugins: [react(), tailwindcss(), sonnerWithoutInlineStyle()],
  server: {
    port: 5173,
    // The proxy keeps the browser's Host and Origin (localhost:5173): `pnpm dev` runs the server with
    // PUBLIC_URL=http://localhost:5173, the only origin and host it then answers besides its own port.
    proxy: { "/api": { target: "http://localhost:3000", changeOrigin: false } },
  },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
});
