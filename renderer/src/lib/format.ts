// One formatter for the app: creating an Intl.NumberFormat per call costs more than the formatting.
const integer = new Intl.NumberFormat("en-US");

export function formatInt(n: number): string {
  return integer.format(n);
}
