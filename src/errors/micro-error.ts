import { StatusText } from "./codes";

/** The JSON shape of an error on the wire (go-micro's `errors.Error`). */
export interface MicroErrorJSON {
  id: string;
  code: number;
  detail: string;
  status: string;
}

/**
 * The one error type that crosses process boundaries. `code` is an HTTP status, `id` a stable
 * machine-readable name, `detail` a human-readable sentence.
 */
export class MicroError extends Error {
  readonly id: string;
  readonly code: number;
  readonly detail: string;
  readonly status: string;

  constructor(id: string, code: number, detail: string, options?: { cause?: unknown; status?: string }) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MicroError";
    this.id = id;
    this.code = code;
    this.detail = detail;
    this.status = options?.status ?? StatusText[code] ?? "";
  }

  /** True when `value` is a MicroError (also across realms/copies of the library). */
  static is(value: unknown): value is MicroError {
    return (
      value instanceof MicroError ||
      (value instanceof Error && (value as Partial<MicroError>).name === "MicroError" && typeof (value as Partial<MicroError>).code === "number")
    );
  }

  /** Parses the `Micro-Error` header; a non-JSON header becomes a 500 with that text as detail. */
  static parse(text: string): MicroError {
    try {
      const v = JSON.parse(text) as Partial<MicroErrorJSON>;
      if (v && typeof v === "object") {
        return new MicroError(String(v.id ?? ""), Number(v.code ?? 500) || 500, String(v.detail ?? ""), {
          status: typeof v.status === "string" ? v.status : undefined,
        });
      }
    } catch {
      // Not JSON: go-micro peers may send a bare string.
    }
    return new MicroError("", 500, text);
  }

  toJSON(): MicroErrorJSON {
    return { id: this.id, code: this.code, detail: this.detail, status: this.status };
  }

  /** The `Micro-Error` header value. */
  toHeader(): string {
    return JSON.stringify(this.toJSON());
  }

  override toString(): string {
    return `${this.code} ${this.status}: ${this.detail} [${this.id}]`;
  }
}
