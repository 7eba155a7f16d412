// Builds the web UI from web/ into dist/web, which the server serves at "/"; in dev, proxies the API to it.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const server = "http://127.0.0.1:8080";

export default defineConfig({
  root: "web",
  plugins: [react()],
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    // One bundle of React + Mantine for an admin UI on a local network; splitting would not pay off.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      "/api": server,
      "/auth": server,
      "/t": server,
      "/img": server,
    },
  },
});
