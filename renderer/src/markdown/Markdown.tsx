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
  return <div className="md-block" ref={ref} />;
});

const CHUNK = 16;

/** A full chunk of finished blocks never changes: it renders once. */
const Chunk = memo(
  function Chunk({ blocks, first }: { blocks: readonly string[]; first: number }) {
    return (
      <div className={blocks.length === CHUNK ? "md-chunk md-chunk-full" : "md-chunk"}>
        {blocks.map((raw, i) => (
          <Block key={first + i} raw={raw} live={false} />
        ))}
      </div>
    );
  },
  (a, b) => a.first === b.first && a.blocks.length === b.blocks.length && a.blocks[0] === b.blocks[0],
);

/**
 * Finished blocks, in chunks of 16: a long answer is hundreds of blocks, and the
 * browser skips off-screen chunks (content-visibility) at a cost per chunk, not per block.
 */
const DoneBlocks = memo(function DoneBlocks({ blocks }: { blocks: readonly string[] }) {
  const chunks: { first: number; blocks: readonly string[] }[] = [];
  for (let first = 0; first < blocks.length; first += CHUNK) chunks.push({ first, blocks: blocks.slice(first, first + CHUNK) });
  return chunks.map((c) => <Chunk key={c.first} first={c.first} blocks={c.blocks} />);
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
