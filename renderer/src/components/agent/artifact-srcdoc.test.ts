import { describe, expect, it } from "vitest";
import { ARTIFACT_CSP, artifactSrcdoc } from "./artifact-srcdoc";

describe("artifact srcdoc", () => {
  it("puts the CSP meta first, after a doctype when there is one", () => {
    const meta = `<meta http-equiv="Content-Security-Policy" content="${ARTIFACT_CSP}">`;
    expect(artifactSrcdoc("<h1>x</h1>")).toBe(`${meta}<h1>x</h1>`);
    expect(artifactSrcdoc("<!DOCTYPE html>\n<html><head><script>1</script>")).toBe(`<!DOCTYPE html>${meta}\n<html><head><script>1</script>`);
  });

  it("forbids every network fetch", () => {
    expect(ARTIFACT_CSP).toMatch(/^default-src 'none';/);
    expect(ARTIFACT_CSP).not.toMatch(/https?:|\*|'self'/);
  });
});
