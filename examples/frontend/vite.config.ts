import { defineConfig } from "vite";

// 127.0.0.1, not localhost: the page and the mock (http://127.0.0.1:8080) are then the same
// site, so the browser sends the control panel's SameSite=Lax `mock_scenario` cookie along.
export default defineConfig({
  server: { host: "127.0.0.1", port: 5173 },
});
