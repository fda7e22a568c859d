import { connectToBackend, type ContractClient } from "./contract-client";
import { noticeInvalidEvent } from "./invalid-event-notice";

let instance: ContractClient | undefined;

/** One client per page, created on first use so tests can load modules without a backend. */
export function client(): ContractClient {
  instance ??= connectToBackend({ onInvalidEvent: noticeInvalidEvent });
  return instance;
}
