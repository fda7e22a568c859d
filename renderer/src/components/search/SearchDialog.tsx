import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import type { SearchHit } from "../../../../app/chat/types";
import { snippetSegments } from "../../chat/branch";
import { renderedSnippet } from "../../chat/snippet-text";
import { client } from "../../client/client-instance";
import { errorMessage } from "../../lib/errors";
import { useChatStore } from "../../stores/chat-store";
import { useUiStore } from "../../stores/ui-store";

function Snippet({ text }: { text: string }) {
  return (
    <span className="snippet">
      {snippetSegments(renderedSnippet(text)).map((s, i) => (s.mark ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>))}
    </span>
  );
}

/** Ctrl/Cmd+K: full-text search over every message (answers and thinking); Enter jumps to the message. */
export function SearchDialog() {
  const close = () => useUiStore.getState().setSearchOpen(false);
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();

  useEffect(() => input.current?.focus(), []);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setHits([]);
      setError(null);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      client()
        .call("chat.search", { query: q })
        .then((r) => {
          if (cancelled) return;
          setHits(r.hits);
          setActive(0);
          setError(null);
        })
        .catch((e: unknown) => !cancelled && setError(errorMessage(e)));
    }, 150);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [query]);

  const jump = (hit: SearchHit) => {
    close();
    useUiStore.getState().setView("chat");
    void useChatStore.getState().open(hit.conversationId, { leafId: hit.messageId, focus: { messageId: hit.messageId, field: hit.field } });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      setActive((a) => Math.min(hits.length - 1, a + 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (e.key === "Enter") {
      const hit = hits[active];
      if (hit) jump(hit);
    }
  };

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="search-dialog" role="dialog" aria-modal="true" aria-label="Search conversations" onKeyDown={onKeyDown} data-testid="search-dialog">
        <input
          ref={input}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search messages and thinking…"
          aria-label="Search"
          role="combobox"
          aria-expanded={hits.length > 0}
          aria-controls={listId}
          aria-activedescendant={hits[active] ? `${listId}-${active}` : undefined}
          data-testid="search-input"
        />
        {error && <p className="error">{error}</p>}
        <ul id={listId} role="listbox" aria-label="Results" className="search-results">
          {hits.map((hit, i) => (
            <li
              key={`${hit.messageId}:${hit.field}`}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? "active" : undefined}
              onMouseEnter={() => setActive(i)}
              onClick={() => jump(hit)}
              data-testid="search-hit"
            >
              <span className="hit-title">{hit.conversationTitle}</span>
              <span className="hit-where">
                {hit.field === "reasoning" ? "thinking" : hit.role === "user" ? "you" : hit.role}
                {hit.versions && <span data-testid="search-hit-versions"> · {hit.versions} versions</span>}
              </span>
              <Snippet text={hit.snippet} />
            </li>
          ))}
          {query.trim() && hits.length === 0 && !error && <li className="muted">No matches.</li>}
        </ul>
      </div>
    </div>
  );
}
