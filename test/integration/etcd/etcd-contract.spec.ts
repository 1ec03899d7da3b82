import { EtcdRegistry } from "../../../src/registry/etcd";
import { describeRegistryContract } from "../../contract/registry.contract";
import { startEtcd, type EtcdServer } from "../../helpers/servers/etcd";

// The shared registry contract against a real etcd (Debian's etcd-server) on random loopback ports.

let etcd: EtcdServer;
const open: EtcdRegistry[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
}, 30_000);

afterAll(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
  await etcd?.stop();
});

// etcd's shortest lease is about 2 s (leases shorter than the election timeout are extended), and
// expiry is checked every 500 ms: a 2 s TTL can take up to ~3 s to be reported.
describeRegistryContract(
  "etcd",
  () => {
    const r = new EtcdRegistry({ addresses: [etcd.address], retryMaxMs: 500 });
    open.push(r);
    return r;
  },
  // The outage is a SIGKILL of etcd and a restart on the same ports and data dir.
  { shortTtlMs: 2000, expirySlackMs: 4000, outage: { interrupt: () => etcd.kill(), restore: () => etcd.restart() } },
);
