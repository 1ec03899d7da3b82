import type { HandlerDescriptor } from "../discovery/descriptors";

/** What `Debug.Health` answers. */
export interface HealthResponse {
  status: "ok";
}

/** The internal `Debug.Health` endpoint every server serves (not advertised). */
export function debugHealthHandler(): HandlerDescriptor {
  return {
    endpoint: "Debug.Health",
    invoke: async (): Promise<HealthResponse> => ({ status: "ok" }),
    validate: false,
    metadata: {},
  };
}
