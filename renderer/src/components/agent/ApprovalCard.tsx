import { useEffect, useRef, useState } from "react";
import { alwaysAllowedByCommands } from "../../../../app/agent/tool-definitions";
import type { PendingApproval } from "../../../../app/contract/agent-api";
import { useAgentStore } from "../../stores/agent-store";

/** What the agent wants to do that the policy asks about: exactly what runs, where, and why it asks. */
export function ApprovalCard({ approval, autoFocus }: { approval: PendingApproval; autoFocus: boolean }) {
  const approve = useAgentStore((s) => s.approve);
  const approveRef = useRef<HTMLButtonElement>(null);
  const [denyReason, setDenyReason] = useState("");
  const titleId = `approval-${approval.approvalId}`;
  const { decision } = approval;
  const always = decision.alwaysAllow;
  const byCommands = alwaysAllowedByCommands(decision.tool);

  // The first pending approval takes the focus, unless the user is typing somewhere.
  useEffect(() => {
    const active = document.activeElement;
    const typing = active instanceof HTMLTextAreaElement || active instanceof HTMLInputElement;
    if (autoFocus && !typing) approveRef.current?.focus({ preventScroll: true });
  }, [autoFocus]);

  return (
    <section className="approval-card" role="group" aria-labelledby={titleId} data-testid="approval-card" data-approval-id={approval.approvalId}>
      <h3 id={titleId} className="approval-title">
        Approve <code>{decision.tool}</code>?
      </h3>
      <dl className="approval-facts">
        <dt>Action</dt>
        <dd>
          <pre data-testid="approval-action">{decision.action}</pre>
        </dd>
        <dt>Where</dt>
        <dd>
          <code data-testid="approval-where">{decision.where}</code>
        </dd>
        <dt>Why it asks</dt>
        <dd className="muted">{decision.reason}</dd>
        {byCommands && always && (
          <>
            <dt>Always allow saves</dt>
            <dd data-testid="always-allow-entries">
              {always.ok ? (
                <ul className="always-allow-entries">
                  {always.entries.map((entry) => (
                    <li key={entry}>
                      <code>{entry}</code>
                    </li>
                  ))}
                </ul>
              ) : (
                <span className="muted">nothing: {always.reason}</span>
              )}
            </dd>
          </>
        )}
      </dl>
      <div className="approval-buttons">
        <button ref={approveRef} type="button" className="primary" onClick={() => void approve(approval.approvalId, true)} data-testid="approve">
          Approve
        </button>
        <button
          type="button"
          onClick={() => void approve(approval.approvalId, true, true)}
          disabled={always?.ok !== true}
          title={
            always?.ok === false
              ? `Cannot be always allowed: ${always.reason}`
              : byCommands
                ? `Approve, and save these allowlist entries for this workspace: ${always?.entries.join(", ") ?? ""}`
                : `Approve, and allow ${decision.tool} in this workspace from now on`
          }
          data-testid="approve-always"
        >
          {byCommands ? "Always allow these commands" : `Always allow ${decision.tool}`}
        </button>
        <button type="button" onClick={() => void approve(approval.approvalId, false, false, denyReason)} data-testid="deny">
          {denyReason.trim() ? "Deny with this reason" : "Deny"}
        </button>
      </div>
      <input
        type="text"
        className="approval-deny-reason"
        aria-label="Reason for denying (the model is told)"
        placeholder="Reason for denying (optional, the model is told)"
        value={denyReason}
        maxLength={4000}
        onChange={(e) => setDenyReason(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && denyReason.trim()) {
            e.preventDefault();
            void approve(approval.approvalId, false, false, denyReason);
          }
        }}
        data-testid="deny-reason"
        style={{ width: "100%", marginTop: "0.5em" }}
      />
    </section>
  );
}

/** Every approval the loop waits on, in order. */
export function AgentApprovals() {
  const approvals = useAgentStore((s) => s.approvals);
  if (approvals.length === 0) return null;
  return (
    <div className="approvals" aria-live="polite">
      {approvals.map((approval, i) => (
        <ApprovalCard key={approval.approvalId} approval={approval} autoFocus={i === 0} />
      ))}
    </div>
  );
}
