/**
 * The pods that serve metrics, as the scrape check sees them: the ARC controller, each listener
 * (modelled from the controller's flags, as ARC builds it) and each engine.
 */
import { ENGINE_METRICS_ADDR_ENV } from "../planning/monitoring";
import { Controller, Engine, ScaleSet, env, nsOf, template } from "./model";
import { MetricsPod, addrPort, declaredPorts } from "./scrape";

export function metricsPods(engines: readonly Engine[], controller: Controller, scaleSets: readonly ScaleSet[]): MetricsPod[] {
  const out: MetricsPod[] = [];
  const flag = (name: string) => {
    const args = (template(controller!.deployment).spec?.containers ?? []).flatMap((c) => c.args ?? []);
    const a = args.find((x) => x.startsWith(`--${name}=`));
    return a?.slice(name.length + 3);
  };
  if (controller) {
    const t = template(controller.deployment);
    const addr = flag("metrics-addr");
    out.push({
      what: "ARC controller pod",
      namespace: nsOf(controller.deployment, controller.rr),
      labels: t.metadata?.labels ?? {},
      ports: declaredPorts(t.spec?.containers),
      servesOn: addr && addr !== "0" ? addrPort(addr) : undefined,
      release: controller.rr.release.name,
    });
    // newScaleSetListenerPod: a port named "metrics" from --listener-metrics-addr unless it is "0".
    const listenerAddr = flag("listener-metrics-addr");
    const listenerPort = listenerAddr && listenerAddr !== "0" ? addrPort(listenerAddr) : undefined;
    for (const s of scaleSets) {
      out.push({ ...s.listener, ports: listenerPort ? [{ name: "metrics", containerPort: listenerPort }] : [], servesOn: listenerPort, release: s.rr.release.name });
    }
  }
  for (const e of engines) {
    out.push({
      what: `engine pod of ${e.ref}`,
      namespace: e.namespace,
      labels: e.podLabels,
      ports: declaredPorts(e.spec.containers),
      servesOn: addrPort(env(e.container, ENGINE_METRICS_ADDR_ENV)),
      release: e.rr.release.name,
    });
  }
  return out;
}
