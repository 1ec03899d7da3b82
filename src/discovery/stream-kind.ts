import { getParamTypes, type Constructor, type StreamKind } from "../decorators/metadata-keys";
import { classOrUndefined } from "./payload-type";

const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor as unknown;

/**
 * The stream kind of `cls.method` from its `stream` option and its shape. An async generator
 * that takes a request class streams responses ("server"); one whose first parameter is not a
 * class (an `AsyncIterable`, which leaves no type at runtime) is "bidi"; another method marked
 * `stream: true` is "client". Undefined for a unary handler.
 */
export function streamKindOf(cls: Constructor, method: string, fn: (...args: never[]) => unknown, option: boolean | StreamKind | undefined): StreamKind | undefined {
  if (option === false) return undefined;
  if (typeof option === "string") return option;
  const generator = fn instanceof (AsyncGeneratorFunction as new () => unknown);
  if (!generator) return option === true ? "client" : undefined;
  const params = getParamTypes(cls.prototype as object, method);
  return classOrUndefined(params?.[0]) ? "server" : "bidi";
}

/** The endpoint metadata a stream advertises (`stream: "true"`, as go-micro, and its kind). */
export function streamMetadata(kind: StreamKind | undefined): Record<string, string> | undefined {
  return kind === undefined ? undefined : { stream: "true", stream_kind: kind };
}
