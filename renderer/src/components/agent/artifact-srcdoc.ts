/**
 * The document an artifact preview frame shows: the agent's HTML with a CSP meta in front that
 * forbids every fetch (scripts and styles only inline, images only data:). The frame is sandboxed
 * without allow-same-origin, so the page gets an opaque origin and cannot reach the app.
 */
export const ARTIFACT_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const CSP_META = `<meta http-equiv="Content-Security-Policy" content="${ARTIFACT_CSP}">`;

/** After a doctype, if any (a meta before it would put the page in quirks mode), before anything else. */
export function artifactSrcdoc(html: string): string {
  const doctype = /^\uFEFF?\s*<!doctype[^>]*>/i.exec(html);
  const at = doctype ? doctype[0].length : 0;
  return html.slice(0, at) + CSP_META + html.slice(at);
}
