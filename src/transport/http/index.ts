export { HttpTransport } from "./http-transport";
export {
  DEFAULT_HTTP_TRANSPORT_OPTIONS,
  resolveHttpTransportOptions,
  type HttpListenOptions,
  type HttpTransportOptions,
  type ResolvedHttpTransportOptions,
} from "./options";
