import { useEffect, useRef, useState } from "react";
import { useModelsStore } from "../../stores/models-store";
import { modelName } from "./format";
import { ModelPanel } from "./ModelPanel";

/** The header's model picker: the loaded model's name, opening the model panel in a popover. */
export function ModelButton() {
  const loaded = useModelsStore((s) => s.loaded);
  const loadingPath = useModelsStore((s) => s.loadingPath);
  const progress = useModelsStore((s) => s.progress);
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => root.current && !root.current.contains(e.target as Node) && setOpen(false);
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.preventDefault(); // this Escape closes the popover; it does not also stop an answer
      setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  const label = loadingPath ? `Loading… ${Math.round((progress ?? 0) * 100)}%` : loaded ? `${modelName(loaded)} · ${loaded.report.quantization}` : "No model — open a GGUF";
  return (
    <div className="model-button" ref={root}>
      <button type="button" aria-haspopup="dialog" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="model-button">
        <span className={`dot ${loaded ? "dot-open" : loadingPath ? "dot-connecting" : "dot-closed"}`} aria-hidden="true" />
        {label} ▾
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label="Model">
          <ModelPanel />
        </div>
      )}
    </div>
  );
}
