import { RedisBroker } from "../../../src/broker/redis";
import { describeBrokerContract } from "../../contract/broker.contract";
import { startRedisServer, type RedisServer } from "../../helpers/servers/redis";

// One redis-server for the file; every contract test uses topics of its own.
let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

// Three brokers (three connections sets) play three processes; small timeouts keep it fast.
describeBrokerContract("redis", () => ({
  brokers: [1, 2, 3].map(() => new RedisBroker({ url: server.url, blockMs: 200, claimIntervalMs: 200, visibilityTimeoutMs: 2000 })),
}));
