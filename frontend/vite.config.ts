// The build goes into the Python package (src/htrac/server/static), so `pip install` needs no
// Node. File names carry content hashes and nothing else varies between builds: CI rebuilds and
// compares byte for byte.
import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

export default defineConfig({
  plugins: [preact({ devtoolsInProd: false, prefreshEnabled: false })],
  base: "/",
  build: {
    outDir: "../src/htrac/server/static",
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    chunkSizeWarningLimit: 400,
  },
});
