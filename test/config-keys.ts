/** Every documented key path of the config schema (objects walked, maps/lists/scalars are leaves). */
import { ZodTypeAny, z } from "zod";
import { configSchema } from "../lib/planning/input/schema";

function unwrap(s: ZodTypeAny): ZodTypeAny {
  for (;;) {
    if (s instanceof z.ZodDefault) s = s._def.innerType;
    else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap();
    else if (s instanceof z.ZodEffects) s = s._def.schema;
    else if (s instanceof z.ZodLazy) s = s.schema;
    else return s;
  }
}

export function configKeyPaths(schema: ZodTypeAny = configSchema, prefix = ""): string[] {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) {
    return Object.entries(s.shape as Record<string, ZodTypeAny>).flatMap(([k, v]) => {
      const p = prefix ? `${prefix}.${k}` : k;
      const inner = unwrap(v);
      return inner instanceof z.ZodObject || inner instanceof z.ZodDiscriminatedUnion ? configKeyPaths(inner, p) : [p];
    });
  }
  if (s instanceof z.ZodDiscriminatedUnion) {
    const all = (s.options as ZodTypeAny[]).flatMap((o) => configKeyPaths(o, prefix));
    return [...new Set(all)];
  }
  return [prefix];
}
