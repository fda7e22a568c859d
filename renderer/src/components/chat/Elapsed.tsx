import { useEffect, useState } from "react";
import { formatSeconds } from "../../chat/message-view";

/** A running "5 s" since `since`; re-renders itself only, once a second. */
export function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <span className="elapsed">{formatSeconds(now - since)}</span>;
}
