/**
 * A search snippet as its message reads rendered: Markdown's markup (emphasis, inline code ticks, headings, list
 * markers, fences, link targets, table pipes) is dropped and runs of whitespace become one space. The « » match
 * markers survive, so the matches are still highlighted.
 */
export function renderedSnippet(snippet: string): string {
  return snippet
    .replace(/^\s*(```|~~~)[\w-]*\s*$/gm, " ") // a fence line
    .replace(/(```|~~~)[\w-]*/g, " ")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1") // images: their alt text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1") // links: their text
    .replace(/^\s{0,3}#{1,6}\s+/gm, "") // headings
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+/gm, "") // list markers
    .replace(/^\s*>\s?/gm, "") // quotes
    .replace(/(\*\*|__|~~)/g, "") // strong, strikethrough
    .replace(/(^|[\s(«])[*_]([^*_\s])/g, "$1$2") // emphasis openers
    .replace(/([^*_\s])[*_](?=$|[\s).,;:!?»])/g, "$1") // emphasis closers
    .replace(/`+/g, "")
    .replace(/^[\s|:-]*-{3,}[\s|:-]*$/gm, " ") // table rules, horizontal rules
    .replace(/\s*\|\s*/g, " ") // table cells
    .replace(/\s+/g, " ")
    .trim();
}
