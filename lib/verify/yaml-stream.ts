/**
 * The documents of a YAML stream that a program wrote (`helm template`'s output, a chart's
 * `crds/` files): js-yaml 4.3.2 with its `CORE_SCHEMA`, YAML 1.2's core schema, the schema the
 * `yaml` package (which reads the config, lib/config/load.ts) uses by default: no timestamps, no
 * merge keys, `yes`/`on` stay strings. The one difference found between the two on scalars:
 * js-yaml also reads `0b101` as an integer (test/verify.test.ts checks both).
 *
 * js-yaml, not `yaml`, because these streams are large and need no source positions: ARC's CRDs
 * are 3 MB, which `yaml`'s `parseAllDocuments` reads in 0.6-0.9 s and js-yaml in 0.05-0.15 s.
 */
import { CORE_SCHEMA, loadAll } from "js-yaml";

/** The documents of `text`, empty ones included (as `null`); a syntax error throws, naming `source`. */
export function parseYamlStream(text: string, source: string): unknown[] {
  try {
    return loadAll(text, null, { schema: CORE_SCHEMA, filename: source });
  } catch (e) {
    throw new Error(`${source}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
}
