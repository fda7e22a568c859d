/** What an executor hands back: `content` goes to the model, the rest to the UI. */
export interface ToolOutput {
  content: string;
  data?: unknown;
  checkpointId?: string;
  warnings?: string[];
}
