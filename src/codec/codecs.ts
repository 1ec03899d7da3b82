import { unsupportedMediaType } from "../errors";
import type { Codec } from "./codec";

/** The codecs a client or server knows, looked up by Content-Type. */
export class CodecSet {
  private readonly byType = new Map<string, Codec>();

  constructor(codecs: readonly Codec[]) {
    for (const codec of codecs) for (const ct of codec.contentTypes) this.byType.set(ct, codec);
  }

  /** The codec for `contentType` (parameters like `; charset=utf-8` ignored), or a 415 error. */
  get(contentType: string): Codec {
    const semi = contentType.indexOf(";");
    const bare = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
    const codec = this.byType.get(bare);
    if (!codec) {
      throw unsupportedMediaType(`unsupported Content-Type "${contentType}"; supported: ${this.supported().join(", ")}`);
    }
    return codec;
  }

  /** Every Content-Type that has a codec. */
  supported(): string[] {
    return [...this.byType.keys()];
  }
}
