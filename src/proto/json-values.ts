/** An object protobufjs's `fromObject` reads; built without a prototype so no inherited member looks like a field. */
export type ObjectForm = Record<string, unknown>;

export const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const UINT32 = { min: 0, max: 2 ** 32 - 1 };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const UINT64 = { min: 0n, max: 2n ** 64n - 1n };
const FLOAT_MAX = 3.4028234663852886e38;
const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;
/** How deeply messages and JSON values may nest in a request: protobuf's own parsers stop at 100. */
const MAX_DEPTH = 100;
// Parsing is synchronous, so one counter serves every request.
let depth = 0;

/** Runs `parse` one nesting level deeper; refuses input nested beyond {@link MAX_DEPTH}. */
export function nested<T>(path: string, parse: () => T): T {
  if (depth >= MAX_DEPTH) invalid(path, `nested more than ${MAX_DEPTH} levels deep`);
  depth++;
  try {
    return parse();
  } finally {
    depth--;
  }
}

/** A new object with no prototype. */
export function bare(): ObjectForm {
  return Object.create(null) as ObjectForm;
}

/** Throws the error every invalid value gets: the field's JSON path and what was wrong. */
export function invalid(path: string, what: string): never {
  throw new TypeError(`${path}: ${what}`);
}

/** One scalar of `.proto` type `type` from its JSON form. */
export function parseScalar(type: string, value: unknown, path: string): unknown {
  switch (type) {
    case "int32":
    case "sint32":
    case "sfixed32":
      return Number(parseInteger(value, INT32, path));
    case "uint32":
    case "fixed32":
      return Number(parseInteger(value, UINT32, path));
    case "int64":
    case "sint64":
    case "sfixed64":
      return parseInteger(value, INT64, path).toString();
    case "uint64":
    case "fixed64":
      return parseInteger(value, UINT64, path).toString();
    case "double":
    case "float":
      return parseFloat(value, type === "float", path);
    case "bool":
      if (typeof value !== "boolean") invalid(path, `true or false expected, got ${describe(value)}`);
      return value;
    case "string":
      if (typeof value !== "string") invalid(path, `string expected, got ${describe(value)}`);
      return value;
    case "bytes":
      if (typeof value !== "string" || !BASE64.test(value)) invalid(path, `base64 string expected, got ${describe(value)}`);
      return Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    default:
      return invalid(path, `unsupported type "${type}"`);
  }
}

/** An integer from a JSON number or string (decimal, or exponent notation with an integral value), range-checked. */
export function parseInteger(value: unknown, range: { min: number | bigint; max: number | bigint }, path: string): bigint {
  let n: bigint | undefined;
  if (typeof value === "number") {
    if (Number.isInteger(value)) n = BigInt(value);
  } else if (typeof value === "string") {
    if (/^-?\d+$/.test(value)) n = BigInt(value);
    else if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value.trim()) && value.trim() === value) {
      const f = Number(value);
      if (Number.isSafeInteger(f)) n = BigInt(f);
    }
  }
  if (n === undefined) invalid(path, `integer expected, got ${describe(value)}`);
  if (n < BigInt(range.min) || n > BigInt(range.max)) invalid(path, `${n} is out of range [${range.min}, ${range.max}]`);
  return n;
}

function parseFloat(value: unknown, single: boolean, path: string): number {
  let n: number | undefined;
  if (typeof value === "number") n = value;
  else if (value === "NaN" || value === "Infinity" || value === "-Infinity") n = Number(value);
  else if (typeof value === "string" && value.trim() === value && value !== "" && !Number.isNaN(Number(value))) n = Number(value);
  if (n === undefined) invalid(path, `number expected, got ${describe(value)}`);
  if (single && Number.isFinite(n) && Math.abs(n) > FLOAT_MAX) invalid(path, `${n} is out of range for a float`);
  return n;
}

/** A short description of a JSON value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value;
}
