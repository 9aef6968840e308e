import { z } from "zod";
import { Path, Problem, relativeTo } from "../rules";

/**
 * Adds rule problems (lib/planning/rules.ts) to a zod refinement nested at config path `base`:
 * the messages name full config paths, the issues sit where zod expects them.
 */
export function addProblems(ctx: z.RefinementCtx, base: Path, problems: readonly Problem[]): void {
  for (const p of relativeTo(base, problems)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...p.path], message: p.message });
}
