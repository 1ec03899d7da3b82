export { NatsTransport } from "./nats-transport";
export { DEFAULT_NATS_TRANSPORT_OPTIONS, resolveNatsTransportOptions, type NatsTransportOptions, type ResolvedNatsTransportOptions } from "./options";
