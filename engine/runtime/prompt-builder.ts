import { Template } from "@huggingface/jinja";
import { AppError, type ModelReport, type ParsedGenerationRequest } from "../../app/contract";
import { familyById, protocolForTemplate, renderContinuation, type ModelProtocol } from "../../app/family";
import { officialTemplate } from "./official-template";
import { m2Protocol } from "../../app/m2/protocol";
import { renderWithinBudget, templateBudgetFromEnv, type TemplateBudget } from "./template-budget";

/** "m2-renderer": the family's TS renderer (byte-identical to its official template); else the GGUF's own template. */
export type PromptFormat = "m2-renderer" | "embedded-template";

/**
 * Builds the prompt text for a loaded model, through the protocol of its family
 * (app/family). The family's TS renderer stands in for a GGUF whose template is the
 * family's official one; any other embedded template is rendered through Jinja (the
 * engine node-llama-cpp uses), so a fine-tune's changes are honoured.
 */
export class PromptBuilder {
  readonly format: PromptFormat;
  /** How the model's output is parsed; null for a model of no known family (plain text). */
  readonly protocol: ModelProtocol | null;
  private readonly template: Template | undefined;

  constructor(
    report: ModelReport,
    embeddedTemplate: string | null,
    log: (message: string) => void,
    private readonly budget: TemplateBudget = templateBudgetFromEnv(),
  ) {
    const family = report.family === "unknown" ? undefined : familyById(report.family);
    // The GGUF's own revision of the family's template (its identity, say), when the protocol knows it.
    const revision = family && embeddedTemplate ? protocolForTemplate(family, embeddedTemplate, officialTemplate(family)) : undefined;
    this.protocol = revision ?? family?.protocol ?? null;
    if (report.chatTemplate === "modified" && embeddedTemplate) {
      log(
        family
          ? `The GGUF's chat template is neither the official ${family.displayName} template nor a known revision of it; using the embedded one.`
          : "Not a model family the app knows: prompts use the GGUF's own chat template, and replies are read as plain text.",
      );
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

  /** The prompt for `request`; with a continuation, the conversation and the partial answer left open (renderContinuation). */
  build(request: ParsedGenerationRequest): string {
    const { continuation } = request;
    if (!continuation) return this.render(request.messages, request, true);
    return renderContinuation((messages) => this.render(messages, request, false), request.messages, continuation);
  }

  private render(messages: ParsedGenerationRequest["messages"], request: ParsedGenerationRequest, addGenerationPrompt: boolean): string {
    if (!this.template) {
      // A GGUF without a template and of no known family gets M2's, as before families existed.
      const protocol = this.protocol ?? m2Protocol;
      const options = request.thinking ? { thinking: request.thinking } : {};
      return protocol.renderPrompt(
        { messages, tools: request.tools, current_date: request.currentDate, add_generation_prompt: addGenerationPrompt },
        options,
      );
    }
    try {
      const context = {
        messages,
        tools: request.tools,
        add_generation_prompt: addGenerationPrompt,
        ...(request.currentDate ? { current_date: request.currentDate } : {}),
        // M3's template variable; a template without it ignores it.
        ...(request.thinking ? { thinking_mode: request.thinking } : {}),
      };
      return renderWithinBudget(this.template, context, this.budget);
    } catch (error) {
      if (error instanceof AppError) throw error; // the budget's own refusal, already typed
      throw new AppError("bad_request", `The model's chat template failed on this conversation: ${(error as Error).message}`);
    }
  }
}
