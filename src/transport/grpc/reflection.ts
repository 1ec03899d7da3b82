import { Root, type Type } from "protobufjs";

/** The paths of server reflection (both protocol versions carry the same messages). */
export const REFLECTION_PATHS: ReadonlySet<string> = new Set([
  "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
  "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
]);

/** The gRPC service names of server reflection. */
export const REFLECTION_SERVICES = ["grpc.reflection.v1alpha.ServerReflection", "grpc.reflection.v1.ServerReflection"] as const;

// The messages of grpc/reflection/v1alpha/reflection.proto, written as protobufjs JSON.
const root = Root.fromJSON({
  nested: {
    ServerReflectionRequest: {
      oneofs: { messageRequest: { oneof: ["fileByFilename", "fileContainingSymbol", "fileContainingExtension", "allExtensionNumbersOfType", "listServices"] } },
      fields: {
        host: { type: "string", id: 1 },
        fileByFilename: { type: "string", id: 3 },
        fileContainingSymbol: { type: "string", id: 4 },
        fileContainingExtension: { type: "ExtensionRequest", id: 5 },
        allExtensionNumbersOfType: { type: "string", id: 6 },
        listServices: { type: "string", id: 7 },
      },
    },
    ExtensionRequest: { fields: { containingType: { type: "string", id: 1 }, extensionNumber: { type: "int32", id: 2 } } },
    ServerReflectionResponse: {
      oneofs: { messageResponse: { oneof: ["fileDescriptorResponse", "allExtensionNumbersResponse", "listServicesResponse", "errorResponse"] } },
      fields: {
        validHost: { type: "string", id: 1 },
        originalRequest: { type: "ServerReflectionRequest", id: 2 },
        fileDescriptorResponse: { type: "FileDescriptorResponse", id: 4 },
        allExtensionNumbersResponse: { type: "ExtensionNumberResponse", id: 5 },
        listServicesResponse: { type: "ListServiceResponse", id: 6 },
        errorResponse: { type: "ErrorResponse", id: 7 },
      },
    },
    FileDescriptorResponse: { fields: { fileDescriptorProto: { rule: "repeated", type: "bytes", id: 1 } } },
    ExtensionNumberResponse: { fields: { baseTypeName: { type: "string", id: 1 }, extensionNumber: { rule: "repeated", type: "int32", id: 2 } } },
    ListServiceResponse: { fields: { service: { rule: "repeated", type: "ServiceResponse", id: 1 } } },
    ServiceResponse: { fields: { name: { type: "string", id: 1 } } },
    ErrorResponse: { fields: { errorCode: { type: "int32", id: 1 }, errorMessage: { type: "string", id: 2 } } },
  },
});
const RequestType: Type = root.lookupType("ServerReflectionRequest");
const ResponseType: Type = root.lookupType("ServerReflectionResponse");

/** What reflection can tell about the server. */
export interface ReflectionSource {
  /** The fully-qualified gRPC service names served. */
  services(): string[];
  /** Serialized `FileDescriptorProto`s defining `symbol` (and what they import); empty when unknown. */
  filesContaining?(symbol: string): Buffer[];
  /** Serialized `FileDescriptorProto`s of the file named `name`; empty when unknown. */
  fileByName?(name: string): Buffer[];
}

const NOT_FOUND = 5;
const UNIMPLEMENTED = 12;

interface ReflectionRequest {
  host?: string;
  fileByFilename?: string;
  fileContainingSymbol?: string;
  listServices?: string;
  messageRequest?: string;
}

/** Answers one `ServerReflectionRequest` (protobuf bytes) with its `ServerReflectionResponse`. */
export function answerReflection(body: Buffer, source: ReflectionSource): Buffer {
  const req = RequestType.toObject(RequestType.decode(body), { oneofs: true }) as ReflectionRequest;
  const res: Record<string, unknown> = { validHost: req.host ?? "", originalRequest: RequestType.decode(body) };
  const files = (list: Buffer[] | undefined, what: string): void => {
    if (list && list.length > 0) res.fileDescriptorResponse = { fileDescriptorProto: list };
    else res.errorResponse = { errorCode: NOT_FOUND, errorMessage: `${what} not found` };
  };
  switch (req.messageRequest) {
    case "listServices":
      res.listServicesResponse = { service: source.services().map((name) => ({ name })) };
      break;
    case "fileContainingSymbol":
      files(source.filesContaining?.(req.fileContainingSymbol!), `symbol ${req.fileContainingSymbol}`);
      break;
    case "fileByFilename":
      files(source.fileByName?.(req.fileByFilename!), `file ${req.fileByFilename}`);
      break;
    default:
      res.errorResponse = { errorCode: UNIMPLEMENTED, errorMessage: `reflection request ${req.messageRequest ?? "(empty)"} is not supported` };
  }
  return Buffer.from(ResponseType.encode(ResponseType.fromObject(res)).finish());
}
