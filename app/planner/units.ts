/** Byte units. Memory is shown in GiB because drivers and OSes report VRAM/RAM in powers of two. */
export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
/** Decimal GB: model files are listed in GB (e.g. "Q4_K_M ~138 GB"), bandwidth in GB/s. */
export const GB = 1e9;

/** "21.3 GiB", "118 GiB": one decimal below 100, none above. */
export function formatGiB(bytes: number): string {
  const g = bytes / GiB;
  return `${g >= 99.95 ? Math.round(g).toString() : g.toFixed(1)} GiB`;
}

/** "19 tok/s" above 10, "4.2 tok/s" below: a ceiling, so no false precision. */
export function formatTokPerSec(tps: number): string {
  if (!Number.isFinite(tps)) return "∞ tok/s";
  return `${tps >= 9.95 ? Math.round(tps).toString() : tps.toFixed(1)} tok/s`;
}

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** "32k" for 32768, "12,288" otherwise. */
export function formatContext(n: number): string {
  return n % 1024 === 0 ? `${n / 1024}k` : formatInt(n);
}

export function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}
