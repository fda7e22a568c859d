import { defineConfig, type Plugin } from "vite";
import { CONTENT_SECURITY_POLICY } from "../app/security-policy.ts";

/** One CSP for both deliveries: a header from the headless host, a meta tag for Electron's file://. */
function cspMetaTag(): Plugin {
  return {
    name: "m2d-csp",
    transformIndexHtml: (html) =>
      html.replace("<head>", `<head>\n    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`),
  };
}

export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  base: "./",
  plugins: [cspMetaTag()],
  build: {
    outDir: new URL("../dist/renderer", import.meta.url).pathname,
    emptyOutDir: true,
    sourcemap: true,
    target: "chrome120",
  },
});
