import { useEffect } from "react";
import { useBackendStore } from "../stores/backend-store";
import { useThemeStore } from "../stores/theme-store";
import { HealthPanel } from "./HealthPanel";
import { StatusBar } from "./StatusBar";

export function AppShell() {
  const start = useBackendStore((s) => s.start);
  const theme = useThemeStore((s) => s.theme);
  const toggleTheme = useThemeStore((s) => s.toggle);

  useEffect(() => start(), [start]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">M2 Desktop</div>
        <ul>
          <li><a aria-current="page" href="#system">System</a></li>
        </ul>
        <button type="button" className="theme-toggle" onClick={toggleTheme} aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}>
          {theme === "dark" ? "☀ Light" : "☾ Dark"}
        </button>
      </nav>
      <main className="main-pane" id="system">
        <HealthPanel />
      </main>
      <StatusBar />
    </div>
  );
}
