import type { ServiceIdentifier } from "inversify";
import type { Broker as BrokerT } from "../broker/broker";
import type { Client as ClientT } from "../client/client";
import type { Codec } from "../codec/codec";
import type { ProtoRegistry } from "../proto/proto-registry";
import type { Logger as LoggerT } from "../logger/logger";
import type { Registry as RegistryT } from "../registry/registry";
import type { Selector as SelectorT } from "../selector/selector";
import type { Server as ServerT } from "../server/server";
import type { Transport as TransportT } from "../transport/transport";
import type { MicroConfig as MicroConfigT } from "../cmd/config";
import type { AttemptWrapperLike, CallWrapperLike, PublishWrapperLike } from "../client/client";
import type { HandlerWrapperLike, SubscriberWrapperLike } from "../server/server";

// Each token shares its name with the interface it stands for, so users write
// `{ provide: Registry, useFactory: … }` and `@Inject(Registry) registry: Registry`.

/** DI token and type of the service registry. */
export type Registry = RegistryT;
export const Registry: ServiceIdentifier<Registry> = Symbol.for("tsmicro.Registry");
/** DI token and type of the selector. */
export type Selector = SelectorT;
export const Selector: ServiceIdentifier<Selector> = Symbol.for("tsmicro.Selector");
/** DI token and type of the transport. */
export type Transport = TransportT;
export const Transport: ServiceIdentifier<Transport> = Symbol.for("tsmicro.Transport");
/** DI token and type of the broker. */
export type Broker = BrokerT;
export const Broker: ServiceIdentifier<Broker> = Symbol.for("tsmicro.Broker");
/** DI token and type of the client. */
export type Client = ClientT;
export const Client: ServiceIdentifier<Client> = Symbol.for("tsmicro.Client");
/** DI token and type of the server. */
export type Server = ServerT;
export const Server: ServiceIdentifier<Server> = Symbol.for("tsmicro.Server");
/** DI token and type of the logger. */
export type Logger = LoggerT;
export const Logger: ServiceIdentifier<Logger> = Symbol.for("tsmicro.Logger");
/** DI token and type of the codecs clients and servers know (`{ provide: Codecs, useValue: [...] }`). */
export type Codecs = readonly Codec[];
export const Codecs: ServiceIdentifier<Codecs> = Symbol.for("tsmicro.Codecs");
/**
 * DI token and type of the `.proto` types a service serves and its client knows
 * (`{ provide: ProtoTypes, useValue: ProtoRegistry.load("greeter.proto") }`): a handler whose
 * endpoint matches an rpc method (`Greeter.Hello` → `greeter.Greeter/Hello`) is served in
 * protobuf and proto3 JSON.
 */
export type ProtoTypes = ProtoRegistry;
export const ProtoTypes: ServiceIdentifier<ProtoTypes> = Symbol.for("tsmicro.ProtoTypes");
/** DI token and type of the resolved configuration (flags, env, options). */
export type MicroConfig = MicroConfigT;
export const MicroConfig: ServiceIdentifier<MicroConfig> = Symbol.for("tsmicro.MicroConfig");

// Wrapper tokens: `{ provide: HandlerWrappers, useValue: [auth, RateLimitInterceptor] }`. They run
// outside the bootstrap/createService option wrappers of the same kind.

/** DI token and type of the module's handler wrappers, outermost first. */
export type HandlerWrappers = readonly HandlerWrapperLike[];
export const HandlerWrappers: ServiceIdentifier<HandlerWrappers> = Symbol.for("tsmicro.HandlerWrappers");
/** DI token and type of the module's subscriber wrappers, outermost first. */
export type SubscriberWrappers = readonly SubscriberWrapperLike[];
export const SubscriberWrappers: ServiceIdentifier<SubscriberWrappers> = Symbol.for("tsmicro.SubscriberWrappers");
/** DI token and type of the module's call wrappers (once per call), outermost first. */
export type CallWrappers = readonly CallWrapperLike[];
export const CallWrappers: ServiceIdentifier<CallWrappers> = Symbol.for("tsmicro.CallWrappers");
/** DI token and type of the module's attempt wrappers (once per attempt), outermost first. */
export type AttemptWrappers = readonly AttemptWrapperLike[];
export const AttemptWrappers: ServiceIdentifier<AttemptWrappers> = Symbol.for("tsmicro.AttemptWrappers");
/** DI token and type of the module's publish wrappers, outermost first. */
export type PublishWrappers = readonly PublishWrapperLike[];
export const PublishWrappers: ServiceIdentifier<PublishWrappers> = Symbol.for("tsmicro.PublishWrappers");

/** The provider families that `--registry=` style flags can choose. */
export const FAMILY_TOKENS = { registry: Registry, selector: Selector, transport: Transport, broker: Broker } as const;
