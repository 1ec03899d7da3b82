export { compose, toWrapFn, isInterceptorClass, type Instantiate, type Interceptor, type InterceptorClass, type WrapFn, type WrapperLike } from "./chain";
export { loggingHandlerWrapper, loggingCallWrapper } from "./logging";
export { rateLimit } from "./rate-limit";
export { concurrencyLimit } from "./concurrency-limit";
export { NodeCircuitBreaker, circuitBreaker } from "./circuit-breaker";
export {
  DEFAULT_CIRCUIT_BREAKER_OPTIONS,
  DEFAULT_CONCURRENCY_LIMIT_OPTIONS,
  DEFAULT_LOGGING_OPTIONS,
  DEFAULT_RATE_LIMIT_OPTIONS,
  type CircuitBreakerOptions,
  type ConcurrencyLimitOptions,
  type LimitScope,
  type LoggingOptions,
  type RateLimitOptions,
} from "./options";
