import { AppError } from "../../../app/contract";

export function errorMessage(error: unknown): string {
  return AppError.from(error).message;
}
