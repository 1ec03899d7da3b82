import { IsInt, IsPositive, IsString, Length } from "class-validator";
import {
  Handler,
  HandlerWrappers,
  Inject,
  Injectable,
  Module,
  Service,
  UseWrappers,
  rateLimit,
  unauthorized,
  type Context,
  type HandlerFn,
  type HandlerWrapper,
  type Interceptor,
} from "../../src";

/** The bearer tokens the guard accepts (a provider, so tests and deployments can swap it). */
export const API_TOKENS = Symbol.for("wallet.ApiTokens");

/** A guard: an injectable interceptor class that refuses callers without a known bearer token. */
@Injectable()
export class AuthGuard implements Interceptor<HandlerFn> {
  constructor(@Inject(API_TOKENS) private readonly tokens: ReadonlySet<string>) {}

  wrap(next: HandlerFn): HandlerFn {
    return (req, ctx) => {
      // Health checks (`micro health`) carry no token; Debug.* endpoints are internal and read-only.
      if (req.endpoint.startsWith("Debug.")) return next(req, ctx);
      const token = /^Bearer (.+)$/.exec(ctx.metadata["Authorization"] ?? "")?.[1];
      if (!token || !this.tokens.has(token)) throw unauthorized("missing or unknown bearer token", "wallet.unauthorized");
      return next(req, ctx);
    };
  }
}

/** A timing interceptor: one log line per request with its duration, whatever the outcome. */
export const timing: HandlerWrapper = (next) => async (req, ctx) => {
  const started = performance.now();
  try {
    return await next(req, ctx);
  } finally {
    ctx.logger.info("timing", { endpoint: req.endpoint, ms: Math.round((performance.now() - started) * 100) / 100 });
  }
};

/** `Wallet.Topup`'s request: an account name and a positive whole amount. */
export class TopupRequest {
  @IsString() @Length(1, 32) account!: string;
  @IsInt() @IsPositive() amount!: number;
}

/** `Wallet.Balance`'s request. */
export class BalanceRequest {
  @IsString() @Length(1, 32) account!: string;
}

/** The wallet service: balances kept in memory. */
@Service("wallet", { version: "1.0.0" })
export class Wallet {
  private readonly balances = new Map<string, number>();

  // A per-method rate limit: three requests per 10 s for this endpoint, checked after the guard
  // and, like every wrapper, before validation (so an invalid request uses a point too).
  @Handler()
  @UseWrappers(rateLimit({ points: 3, durationSec: 10 }))
  async topup(req: TopupRequest, ctx: Context): Promise<{ balance: number }> {
    const balance = (this.balances.get(req.account) ?? 0) + req.amount;
    this.balances.set(req.account, balance);
    ctx.logger.debug("topped up", { account: req.account, balance });
    return { balance };
  }

  // Reading twice is harmless: declared idempotent, so clients may retry it after a lost connection.
  @Handler({ idempotent: true })
  async balance(req: BalanceRequest): Promise<{ balance: number }> {
    return { balance: this.balances.get(req.account) ?? 0 };
  }
}

/** Timing outermost, then the guard, for every handler; validation runs after both. */
@Module({
  services: [Wallet],
  providers: [
    { provide: API_TOKENS, useValue: new Set(["s3cret"]) },
    { provide: HandlerWrappers, useValue: [timing, AuthGuard] },
  ],
})
export class WalletModule {}
