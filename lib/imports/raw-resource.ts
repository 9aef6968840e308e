import { ITerraformDependable, TerraformResource } from "cdktf";
import { Construct } from "constructs";

/**
 * A Terraform resource synthesized from attributes written in Terraform's own (snake_case)
 * spelling, typed by the caller. For the few provider classes whose generated bindings cost more
 * to load than they give: the kubernetes provider's `CronJobV1` alone takes about 60 ms at
 * require time (its whole PodSpec struct tree), some 8% of a default synth, for one resource
 * whose shape we write once. Tokens inside the attributes resolve as in any resource.
 */
export class RawResource<A extends object> extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    type: string,
    private readonly attributes: A,
    options: { readonly dependsOn?: ITerraformDependable[] } = {},
  ) {
    super(scope, id, { terraformResourceType: type, dependsOn: options.dependsOn });
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return { ...(this.attributes as Record<string, unknown>) };
  }
}
