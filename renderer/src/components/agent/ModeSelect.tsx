import type { PolicyMode } from "../../../../app/agent/types";

export const MODE_LABEL: Record<PolicyMode, string> = {
  ask: "Ask (writes and commands ask)",
  auto_edit: "Auto-edit (commands ask)",
  full_auto: "Full auto (sandboxed)",
  read_only: "Read-only",
};

export function ModeSelect({ value, onChange, id }: { value: PolicyMode; onChange: (mode: PolicyMode) => void; id?: string }) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value as PolicyMode)} data-testid="agent-mode" aria-label={id ? undefined : "Approval mode"}>
      {(Object.keys(MODE_LABEL) as PolicyMode[]).map((mode) => (
        <option key={mode} value={mode}>
          {MODE_LABEL[mode]}
        </option>
      ))}
    </select>
  );
}
