export { NatsBroker } from "./nats-broker";
export { DEFAULT_NATS_BROKER_OPTIONS, resolveNatsBrokerOptions, type JetStreamMode, type NatsBrokerOptions, type ResolvedNatsBrokerOptions } from "./options";
