// Runs the operator exactly as the chart's Deployment would: its container args, its env
// (POD_NAMESPACE from the release namespace) and a token of its service account, as a local
// process against the control plane (there is no kubelet to run the pod).
import type { ControlPlane } from '../harness/control-plane.ts';
import { operatorStartsAndStops } from '../operator/operator-process.ts';

interface StoredDeployment {
  spec: {
    template: {
      spec: {
        serviceAccountName: string;
        containers: { name: string; args: string[]; env?: { name: string; value?: string }[] }[];
      };
    };
  };
}

/**
 * Starts the release's operator as its Deployment says, waits until it is ready and stops it;
 * throws with its output when it exits or never becomes ready. Returns what it printed.
 */
export async function chartOperatorStarts(
  cp: ControlPlane,
  namespace: string,
  deployment: string,
): Promise<string> {
  const stored = JSON.parse(
    await cp.kubectlOk(['get', 'deployment', deployment, '-n', namespace, '-o', 'json']),
  ) as StoredDeployment;
  const pod = stored.spec.template.spec;
  const container = pod.containers.find((c) => c.name === 'operator');
  if (!container) throw new Error(`${deployment}: no operator container`);
  const token = (
    await cp.kubectlOk(['create', 'token', pod.serviceAccountName, '-n', namespace])
  ).trim();
  const kubeconfig = cp.kubeconfigFor(token, `${namespace}-${pod.serviceAccountName}`);
  // The kubelet would set POD_NAMESPACE from the fieldRef; plain values pass through.
  const env: NodeJS.ProcessEnv = { ...process.env, POD_NAMESPACE: namespace };
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
  }
  const [command, ...args] = container.args;
  if (command !== 'operator') throw new Error(`${deployment}: runs "${String(command)}"`);
  return operatorStartsAndStops([...args, '--kubeconfig', kubeconfig], env);
}
