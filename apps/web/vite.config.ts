import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    port: 5173,
    // The proxy keeps the browser's Host and Origin (localhost:5173): `pnpm dev` runs the server with
    // PUBLIC_URL=http://localhost:5173, the only origin and host it then answers besides its own port.
    proxy: { "/api": { target: "http://localhost:3000", changeOrigin: false } },
  },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
});
