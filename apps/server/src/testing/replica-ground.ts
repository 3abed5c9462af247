// Test support: what two studio replicas on one database stand on: a scripted model server, a free
// port each, and a failover proxy in front of both (A first) through which sandboxes reach the
// gateway, so its address outlives either replica.
import { findFreePort } from "@studio/db/postgres";
import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { type FailoverProxy, startFailoverProxy } from "./failover-proxy.ts";

export interface ReplicaGround {
  upstream: ScriptedModelServer;
  gateway: FailoverProxy;
  portA: number;
  portB: number;
  urlOfA: string;
  urlOfB: string;
  /** What each replica is started with: the given settings, the model server and the gateway. */
  env: Record<string, string>;
  /** Closes the proxy and the model server (the replicas are the test's to stop first). */
  close(): Promise<void>;
}

export async function prepareReplicas(settings: Record<string, string>): Promise<ReplicaGround> {
  const upstream = await startScriptedModelServer();
  const [portA, portB, gatewayPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const urlOfA = `http://127.0.0.1:${portA}`;
  const urlOfB = `http://127.0.0.1:${portB}`;
  const gateway = await startFailoverProxy(gatewayPort, [urlOfA, urlOfB]);
  return {
    upstream,
    gateway,
    portA,
    portB,
    urlOfA,
    urlOfB,
    env: { ...settings, CUSTOM_OPENAI_BASE_URL: `${upstream.url}/v1`, GATEWAY_PUBLIC_URL: gateway.url },
    async close() {
      await gateway.close();
      await upstream.close();
    },
  };
}
