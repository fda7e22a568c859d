import { connectToBackend, type ContractClient } from "./contract-client";

let instance: ContractClient | undefined;

/** One client per page, created on first use so tests can load modules without a backend. */
export function client(): ContractClient {
  instance ??= connectToBackend();
  return instance;
}
