export { HttpBroker } from "./http-broker";
export { BROADCAST_VERSION, BROKER_SERVICE } from "./wire";
export { DEFAULT_HTTP_BROKER_OPTIONS, resolveHttpBrokerOptions, type HttpBrokerOptions, type ResolvedHttpBrokerOptions } from "./options";
