import type { SiblingInfo } from "../../../../app/chat/types";
import { siblingAt } from "../../chat/branch";

/** "‹ 2/3 ›" between the versions of a message (edits, regenerations). */
export function BranchSwitcher({ siblings, disabled, onSwitch }: { siblings: SiblingInfo; disabled: boolean; onSwitch: (id: string) => void }) {
  if (siblings.count < 2) return null;
  const prev = siblingAt(siblings, -1);
  const next = siblingAt(siblings, 1);
  return (
    <span className="branch-switcher" role="group" aria-label="Versions" data-testid="branch-switcher">
      <button type="button" className="icon-button" aria-label="Previous version" disabled={disabled || !prev} onClick={() => prev && onSwitch(prev)}>
        ‹
      </button>
      <span data-testid="branch-position">
        {siblings.index + 1}/{siblings.count}
      </span>
      <button type="button" className="icon-button" aria-label="Next version" disabled={disabled || !next} onClick={() => next && onSwitch(next)}>
        ›
      </button>
    </span>
  );
}
