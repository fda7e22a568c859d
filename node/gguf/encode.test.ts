import { describe, expect, it } from "vitest";
import { decodeQ8_0, encodeF16, encodeQ8_0, fromHalf, toHalf } from "./encode";

describe("toHalf", () => {
  it.each([
    [0, 0x0000], [1, 0x3c00], [-2, 0xc000], [10, 0x4900], [65504, 0x7bff], [1e6, 0x7c00],
    [2 ** -24, 0x0001], [2 ** -14, 0x0400], [1 / 3, 0x3555], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02],
  ])("%d → %s", (value, bits) => {
    expect(toHalf(value)).toBe(bits);
  });

  it("round-trips through fromHalf", () => {
    for (const v of [0.5, -3.25, 1024, 6.103515625e-5]) expect(fromHalf(toHalf(v))).toBe(v);
  });

  it("encodes little-endian", () => {
    expect([...encodeF16(new Float32Array([1]))]).toEqual([0x00, 0x3c]);
  });
});

describe("Q8_0", () => {
  it("stores an f16 scale amax/127 then 32 int8 quants", () => {
    const values = Float32Array.from({ length: 32 }, (_, i) => i - 16);
    const bytes = encodeQ8_0(values);
    expect(bytes.length).toBe(34);
    const view = new DataView(bytes.buffer);
    expect(view.getUint16(0, true)).toBe(toHalf(16 / 127));
    expect(view.getInt8(2)).toBe(-127); // -16 is the absolute max
    expect(view.getInt8(2 + 16)).toBe(0);
  });

  it("reconstructs within half a quantization step", () => {
    const values = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
    const back = decodeQ8_0(encodeQ8_0(values));
    for (let i = 0; i < values.length; i++) expect(Math.abs((back[i] ?? 0) - (values[i] ?? 0))).toBeLessThan(1 / 127);
  });

  it("an all-zero block is all zero bytes", () => {
    expect(encodeQ8_0(new Float32Array(32)).every((b) => b === 0)).toBe(true);
  });
});
