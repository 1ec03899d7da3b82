import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import type { ServiceRecord } from "../../../src/registry/registry";
import { EtcdRegistry } from "../../../src/registry/etcd";
import { uniqueName } from "../../contract/registry.contract";
import { makeTestCertificates, startEtcd, type EtcdServer, type TestCertificates } from "../../helpers/servers/etcd";

// The registry's TLS files and password auth, against a real etcd that requires them.

const record = (svc: string): ServiceRecord => ({ name: svc, version: "1", endpoints: [], nodes: [{ id: `${svc}-1`, address: "127.0.0.1:9", metadata: {} }] });

describe("etcd over TLS with client certificates", () => {
  let dir: string;
  let certs: TestCertificates;
  let etcd: EtcdServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tsmicro-etcd-tls-"));
    certs = makeTestCertificates(dir);
    etcd = await startEtcd({ tls: certs });
  }, 30_000);

  afterAll(async () => {
    await etcd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("registers and looks up with the CA, client certificate and key files", async () => {
    const registry = new EtcdRegistry({ addresses: [etcd.address], tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } });
    const svc = uniqueName("tls");
    await registry.register(record(svc), { ttlMs: 5000 });
    await expect(registry.getService(svc)).resolves.toEqual([record(svc)]);
    await registry.deregister(record(svc));
    await registry.close();
  });

  it("fails with a 503 naming etcd when no client certificate is given", async () => {
    const registry = new EtcdRegistry({ addresses: [etcd.address], tls: { ca: certs.ca }, requestTimeoutMs: 2000 });
    await expect(registry.getService("x")).rejects.toMatchObject({ code: 503, detail: expect.stringContaining(`etcd registry (${etcd.address})`) });
    await registry.close();
  });
});

describe("etcd with password authentication", () => {
  let etcd: EtcdServer;

  beforeAll(async () => {
    etcd = await startEtcd();
    const admin = new Etcd3({ hosts: `http://${etcd.address}` });
    await admin.user("root").create("s3cret");
    await admin.user("root").addRole("root");
    await admin.user("guest").create("guest");
    await admin.auth.authEnable({});
    admin.close();
  }, 30_000);

  afterAll(async () => {
    await etcd?.stop();
  });

  it("registers and looks up as the configured user", async () => {
    const registry = new EtcdRegistry({ addresses: [etcd.address], username: "root", password: "s3cret" });
    const svc = uniqueName("auth");
    await registry.register(record(svc), { ttlMs: 5000 });
    await expect(registry.getService(svc)).resolves.toEqual([record(svc)]);
    await registry.deregister(record(svc));
    await registry.close();
  });

  it("answers 401 without credentials or with a wrong password, 403 for a user without rights, naming etcd", async () => {
    const cases: Array<[Partial<ConstructorParameters<typeof EtcdRegistry>[0]>, number]> = [
      [{}, 401],
      [{ username: "root", password: "nope" }, 401],
      [{ username: "guest", password: "guest" }, 403],
    ];
    for (const [creds, code] of cases) {
      const registry = new EtcdRegistry({ addresses: [etcd.address], ...creds });
      await expect(registry.getService("x")).rejects.toMatchObject({ code, detail: expect.stringContaining(`etcd registry (${etcd.address})`) });
      await registry.close();
    }
  });
});
