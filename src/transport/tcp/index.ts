export { TcpTransport } from "./tcp-transport";
export {
  DEFAULT_TCP_TRANSPORT_OPTIONS,
  resolveTcpTransportOptions,
  type ResolvedTcpTransportOptions,
  type TcpListenOptions,
  type TcpTransportOptions,
} from "./options";
