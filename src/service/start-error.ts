import { joinHostPort } from "../internal/address";

/** A system error as Node reports a failed `listen`/`bind`. */
interface SystemError extends Error {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
}

/**
 * Rewrites the system errors a start-up commonly meets (address in use, no permission, address
 * not on this machine) into a sentence naming the address, keeping the original as `cause` and
 * its `code`; any other error is returned unchanged.
 */
export function explainStartError(err: unknown): unknown {
  // Duck-typed: errors from another realm (a vm context, a test runner) fail `instanceof Error`.
  if (typeof err !== "object" || err === null) return err;
  const e = err as SystemError;
  if (e.syscall !== "listen" && e.syscall !== "bind") return err;
  const where = e.address === undefined ? "" : e.port === undefined ? e.address : joinHostPort(e.address, e.port);
  const text = where ? describe(e.code, where) : undefined;
  if (!text) return err;
  return Object.assign(new Error(text, { cause: err }), { code: e.code });
}

function describe(code: string | undefined, where: string): string | undefined {
  switch (code) {
    case "EADDRINUSE":
      return `address ${where} is in use`;
    case "EACCES":
      return `no permission to listen on ${where}`;
    case "EADDRNOTAVAIL":
      return `address ${where} is not an address of this machine`;
    default:
      return undefined;
  }
}
