import type { Context } from "../metadata/context";
import type { ServerRequest } from "../server/server";
import type { LimitScope } from "./options";

/** The key a request is counted under for `per`. */
export function scopeKey(per: LimitScope, req: ServerRequest, ctx: Context): string {
  if (per === "server") return "*";
  if (per === "endpoint") return req.endpoint;
  return per(req, ctx);
}
