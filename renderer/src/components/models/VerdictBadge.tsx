import type { Fit } from "../../../../app/contract/downloads-api";
import { VERDICT_LABEL } from "./labels";

export function VerdictBadge({ fit }: { fit: Fit }) {
  return (
    <span className={`badge verdict-${fit.verdict}`} title={fit.detail} data-testid="verdict">
      {VERDICT_LABEL[fit.verdict]}
    </span>
  );
}
