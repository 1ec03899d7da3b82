export { RedisBroker } from "./redis-broker";
export { DEFAULT_REDIS_BROKER_OPTIONS, resolveRedisBrokerOptions, type RedisBrokerOptions, type ResolvedRedisBrokerOptions } from "./options";
export { loadIoredis } from "./client";
