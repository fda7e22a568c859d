import { Template } from "@huggingface/jinja";
import { AppError, type ModelReport, type ParsedGenerationRequest } from "../../app/contract";
import { renderM2Prompt } from "../../app/m2/prompt";
import { renderWithinBudget, templateBudgetFromEnv, type TemplateBudget } from "./template-budget";

export type PromptFormat = "m2-renderer" | "embedded-template";

/**
 * Builds the prompt text for a loaded model. The TS renderer is byte-identical to the
 * official template; a GGUF whose template differs gets its own through Jinja (the engine
 * node-llama-cpp uses), so a fine-tune's changes are honoured.
 */
export class PromptBuilder {
  readonly format: PromptFormat;
  private readonly template: Template | undefined;

  constructor(
    report: ModelReport,
    embeddedTemplate: string | null,
    log: (message: string) => void,
    private readonly budget: TemplateBudget = templateBudgetFromEnv(),
  ) {
    if (report.chatTemplate === "modified" && embeddedTemplate) {
      log(`The GGUF's chat template differs from the official MiniMax-M2 template; using the embedded one.`);
      this.format = "embedded-template";
      try {
        this.template = new Template(embeddedTemplate);
      } catch (error) {
        throw new AppError("model_invalid", `The GGUF's chat template does not parse: ${(error as Error).message}`, { path: report.path });
      }
    } else {
      this.format = "m2-renderer";
    }
  }

  build(request: ParsedGenerationRequest): string {
    if (!this.template) {
      return renderM2Prompt({ messages: request.messages, tools: request.tools, current_date: request.currentDate });
    }
    try {
      const context = {
        messages: request.messages,
        tools: request.tools,
        add_generation_prompt: true,
        ...(request.currentDate ? { current_date: request.currentDate } : {}),
      };
      return renderWithinBudget(this.template, context, this.budget);
    } catch (error) {
      if (error instanceof AppError) throw error; // the budget's own refusal, already typed
      throw new AppError("bad_request", `The model's chat template failed on this conversation: ${(error as Error).message}`);
    }
  }
}
