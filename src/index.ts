import "reflect-metadata";

// The public API of tsmicro. Everything a user imports comes from here; src/internal is never exported.

export { Service, Handler, Subscribe, Inject, InjectClient, Injectable, Module, UseWrappers, UseSubscriberWrappers } from "./decorators";
export type { StreamKind } from "./decorators";
export type { Constructor, HandlerOptions, ModuleMeta, Provider, ServiceDecoratorOptions, SubscriberOptions } from "./decorators";

export { bootstrap, bootstrapFunction, createService, createServiceAsync, createClient } from "./di";
export { registerProvider, findProvider, providerFactory, providerNames, loadProvider, createProvider, defaultPluginOptions, createTransportResolver } from "./di";
export type { BootstrapOptions, ConfigOptions, CreateServiceOptions, CreateClientOptions, StandaloneClient, Family, FamilyTypes, ProviderDeps } from "./di";
export type { PluginFactory, PluginOptions, ProviderPlugin, TransportResolver } from "./di";
// Each of these is both a DI token and the interface it stands for.
export { Registry, Selector, Transport, Broker, Client, Server, Logger, Codecs, MicroConfig, ProtoTypes } from "./di/tokens";
export { HandlerWrappers, SubscriberWrappers, CallWrappers, AttemptWrappers, PublishWrappers } from "./di/tokens";

export { MicroService, type DeferredServiceParts, type Hook, type ServiceHooks, type ServiceParts } from "./service/service";
export type { BeforeApplicationShutdown, LifecycleHook, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from "./service/lifecycle";
export { handleSignals } from "./service/signals";

export * from "./errors";
export { Context, type CallContext, type ContextInit, type Metadata, type TraceContext, parseTraceparent, formatTraceparent } from "./metadata";

export type { Endpoint, Node, RegisterOptions, ServiceRecord, Value, WatchAction, WatchEvent, WatchOptions, Watcher } from "./registry/registry";
export { MemoryRegistry } from "./registry/memory";
export { MdnsRegistry } from "./registry/mdns";
// Lazy: the `consul` library loads only when a Consul registry is created.
export { createConsulRegistry } from "./registry/consul/create";
export type { ConsulRegistryOptions, ConsulTlsOptions } from "./registry/consul/options";
// Types only: the class is in the "tsmicro/registry/etcd" subpath (or `--registry=etcd`), so importing tsmicro never loads etcd3.
export type { EtcdRegistry, EtcdRegistryOptions, EtcdTlsOptions, ResolvedEtcdRegistryOptions } from "./registry/etcd";

export type { Filter, Next, Picker, SelectOptions, Strategy } from "./selector/selector";
export { RegistrySelector, random, roundRobin, leastConn, filterVersion, filterMetadata, filterEndpoint, filterNode } from "./selector";
export type { Random, StrategyFactory } from "./selector";

export type { DialOptions, ListenOptions, Listener, Message, Socket } from "./transport/transport";
export { QUEUED } from "./transport/transport";
export { Headers, END_OF_STREAM } from "./transport/headers";
export { HttpTransport } from "./transport/http";
export { TcpTransport, type TcpTransportOptions } from "./transport/tcp";
export { GrpcTransport, GrpcStatus, grpcStatusOf, microErrorOf, type GrpcStatusCode, type GrpcTransportOptions } from "./transport/grpc";

export type { Codec, Frame, MessageSchema, MethodSchema, ProtoRpcEnvelope } from "./codec";
export { JsonCodec, JsonRpcCodec, ProtobufCodec, ProtoRpcCodec, BytesCodec, CodecSet, DEFAULT_CODECS, splitProtoRpc, encodeEnvelope, decodeEnvelope } from "./codec";
export { ProtoRegistry, messageSchema, protoMessage, NATIVE_CONVERSION, JSON_CONVERSION } from "./proto";
export type { ProtoDescriptor, ProtoLoadOptions, ProtoLookup, ProtoMessage, ProtoService } from "./proto";
export { serverStream, clientStream, bidiStream, type StreamInput } from "./client/typed-streams";
export { serviceClient, defineContract } from "./client/service-client";
export type { ClientMethod, Contract, MethodContract, MethodNames, ServiceClient, ServiceClientOptions } from "./client/service-client";
export { generate, generateTo, type GenerateOptions, type GeneratedFile } from "./codegen";

export type { BackoffOptions, BrokerEvent, BrokerHandler, BrokerLag, BrokerMessage, DeliveryGuarantee, DeliveryInfo, PublishOptions as BrokerPublishOptions, SubscribeOptions, Subscription } from "./broker/broker";
export { ACCEPTED } from "./broker/broker";
export { DELIVERY_DEFAULTS, DeadLetterHeaders, afterFailure, isPermanentFailure, redeliveryDelayMs, resolveDelivery, type ResolvedDelivery } from "./broker/delivery";
export { MemoryBroker } from "./broker/memory";
export { HttpBroker } from "./broker/http";
// ioredis is imported only when a RedisBroker connects, so exporting it costs nothing without Redis.
export { RedisBroker, type RedisBrokerOptions } from "./broker/redis";
// amqplib is imported only when a RabbitMqBroker connects, likewise.
export { RabbitMqBroker, type RabbitMqBrokerOptions } from "./broker/rabbitmq";

export { RpcClient, retryOnConnectionError, retryOnDraining, retryNever, exponentialBackoff } from "./client";
export type { ClientStream } from "./client";
export { STREAM_WINDOW } from "./transport/stream-flow";
export type {
  AttemptFn,
  AttemptRequest,
  AttemptWrapper,
  AttemptWrapperLike,
  Backoff,
  CallFn,
  CallOptions,
  CallWrapper,
  CallWrapperLike,
  ClientRequest,
  PublishFn,
  PublishOptions,
  PublishRequest,
  PublishWrapper,
  PublishWrapperLike,
  ResolvedCallOptions,
  RetryInfo,
  RetryPolicy,
  RpcClientOptions,
} from "./client";

export { RpcServer, validateInto } from "./server";
export type {
  HandlerFn,
  HandlerWrapper,
  HandlerWrapperLike,
  ServerEvent,
  ServerRequest,
  SubscriberFn,
  SubscriberWrapper,
  SubscriberWrapperLike,
  RpcServerOptions,
  HealthResponse,
  ValidateOptions,
} from "./server";

export {
  loggingHandlerWrapper,
  loggingCallWrapper,
  rateLimit,
  concurrencyLimit,
  circuitBreaker,
  NodeCircuitBreaker,
  DEFAULT_CIRCUIT_BREAKER_OPTIONS,
  DEFAULT_CONCURRENCY_LIMIT_OPTIONS,
  DEFAULT_LOGGING_OPTIONS,
  DEFAULT_RATE_LIMIT_OPTIONS,
} from "./wrappers";
export type {
  CircuitBreakerOptions,
  ConcurrencyLimitOptions,
  Interceptor,
  InterceptorClass,
  LimitScope,
  LoggingOptions,
  RateLimitOptions,
  WrapFn,
  WrapperLike,
} from "./wrappers";
export type { HandlerDescriptor, SubscriberDescriptor } from "./discovery";
export { explore, describeType, contractOf, type ExploreOptions } from "./discovery";

export { resolveConfig, DEFAULT_SETTINGS, FLAGS, type ConfigInputs, type ConfigSource, type MicroSettings } from "./cmd/config";
export { parseDuration } from "./cmd/duration";
export { PinoLogger, type PinoLoggerOptions } from "./logger/pino-logger";
export { SilentLogger } from "./logger/silent";
export { LOG_LEVELS, parseLogLevel, type LogLevel } from "./logger/levels";
export type { LogFields } from "./logger/logger";
export { LOG_FORMATS, parseLogFormat, type LogFormat } from "./logger/format";
export { LogRing, LOG_RING_CAPACITY, type LogRecord } from "./logger/log-ring";
export { RingLogger } from "./logger/ring-logger";
export {
  debugHandlers,
  ProcessStats,
  RequestCounters,
  SpanRing,
  SPAN_RING_CAPACITY,
  type DebugSources,
  type LogRequest,
  type SpanRecord,
  type StatsResponse,
  type TraceRequest,
  type TraceResponse,
} from "./debug";

export { Test, TestingModuleBuilder, createTestingModule, DEFAULT_TESTING_SETTINGS } from "./testing";
export type { ProviderOverride, TestingModule, TestingModuleOptions } from "./testing";
