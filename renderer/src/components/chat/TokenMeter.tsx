import { useEffect, useState } from "react";
import { client } from "../../client/client-instance";
import { formatInt } from "../../lib/format";

interface Count {
  tokens: number;
  contextSize: number | null;
}

/** Context used by the conversation plus the draft, and what is left; asked for once typing pauses. */
export function TokenMeter({ conversationId, draft, revision }: { conversationId: string | null; draft: string; revision: number }) {
  const [count, setCount] = useState<Count | null>(null);
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      client()
        .call("chat.countTokens", { ...(conversationId ? { conversationId } : {}), draft })
        .then((result) => !cancelled && setCount(result))
        .catch(() => !cancelled && setCount(null));
    }, 350);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [conversationId, draft, revision]);

  if (!count) return <span className="token-meter" data-testid="token-meter" />;
  const { tokens, contextSize } = count;
  const fmt = formatInt;
  if (contextSize === null) return <span className="token-meter" data-testid="token-meter">{fmt(tokens)} token{tokens === 1 ? "" : "s"}</span>;
  const left = contextSize - tokens;
  const ratio = Math.min(1, tokens / contextSize);
  return (
    <span className={`token-meter${left < 0 ? " over" : ratio > 0.85 ? " near" : ""}`} data-testid="token-meter" title={`${fmt(tokens)} of ${fmt(contextSize)} context tokens`}>
      <span className="meter" aria-hidden="true">
        <span style={{ width: `${ratio * 100}%` }} />
      </span>
      {fmt(tokens)} / {fmt(contextSize)} · {left < 0 ? `${fmt(-left)} over` : `${fmt(left)} left`}
    </span>
  );
}
