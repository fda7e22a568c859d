import { memo, useLayoutEffect, useMemo, useRef, type MouseEvent } from "react";
import { copyText } from "../lib/clipboard";
import { BlockSplitter } from "./blocks";
import { lexBlocks, renderBlockFragment } from "./render";

/** One block's sanitized DOM, replaced only when its text changes. */
const Block = memo(function Block({ raw, live }: { raw: string; live: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    ref.current?.replaceChildren(renderBlockFragment(raw, live));
  }, [raw, live]);
  return <div className={live ? "md-block md-live" : "md-block"} ref={ref} />;
});

/** Finished blocks never change: this re-renders only when another one finishes. */
const DoneBlocks = memo(function DoneBlocks({ blocks }: { blocks: readonly string[] }) {
  return blocks.map((raw, i) => <Block key={i} raw={raw} live={false} />);
});

function onCopyClick(event: MouseEvent<HTMLDivElement>) {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>("[data-copy-code]");
  const code = button?.closest(".code-block")?.querySelector("code");
  if (!button || !code) return;
  void copyText(code.textContent ?? "").then((ok) => {
    button.textContent = ok ? "Copied" : "Copy failed";
    setTimeout(() => (button.textContent = "Copy"), 1500);
  });
}

/**
 * Markdown rendered as it streams: split into top-level blocks, finished blocks
 * memoized, only the last (growing) block re-rendered as text arrives.
 */
export const Markdown = memo(function Markdown({ text, streaming }: { text: string; streaming: boolean }) {
  const splitter = useRef<BlockSplitter | null>(null);
  splitter.current ??= new BlockSplitter(lexBlocks);
  const { done, growing } = useMemo(() => splitter.current!.update(text, !streaming), [text, streaming]);
  return (
    <div className="markdown" onClick={onCopyClick}>
      <DoneBlocks blocks={done} />
      {growing !== null && <Block key={done.length} raw={growing} live />}
    </div>
  );
});
