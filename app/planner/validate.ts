/** Rejects malformed planner input with AppError("bad_request"). */
import { AppError } from "../contract/errors";
import type { PlanRequest } from "./types";

export function validate(req: PlanRequest): void {
  const bad = (msg: string): never => {
    throw new AppError("bad_request", msg);
  };
  const m = req.model;
  if (!Number.isInteger(req.context) || req.context < 1) bad(`context must be a positive integer, got ${req.context}`);
  if (!Number.isInteger(m.layers) || m.layers < 1) bad(`model layers must be a positive integer, got ${m.layers}`);
  if (m.tensors.length === 0) bad("model has no tensors");
  if (m.tensors.some((t) => !(t.bytes >= 0) || (t.layer !== null && (t.layer < 0 || t.layer >= m.layers)))) {
    bad("a tensor has negative bytes or a layer outside the model");
  }
  if (req.gpus.some((g) => !(g.freeVram >= 0))) bad("free VRAM must be ≥ 0");
  if (!(req.host.freeRam >= 0)) bad("free RAM must be ≥ 0");
  const ov = req.override;
  if (ov?.nCpuMoe !== undefined && (!Number.isInteger(ov.nCpuMoe) || ov.nCpuMoe < 0)) bad(`n-cpu-moe must be an integer ≥ 0, got ${ov.nCpuMoe}`);
  if (ov?.gpuLayers !== undefined && (!Number.isInteger(ov.gpuLayers) || ov.gpuLayers < 0)) bad(`gpu layers must be an integer ≥ 0, got ${ov.gpuLayers}`);
}
