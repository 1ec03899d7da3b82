import { join } from "node:path";
import { FileDescriptorProto } from "protobufjs/ext/descriptor";
import { ProtoRegistry } from "../../../../src";
import { ProtoFiles } from "../../../../src/transport/grpc/proto-files";

// protobufjs describes a Root as one file per package with no imports; a strict descriptor pool
// (grpcurl's, proto-loader's) then cannot link a field typed from another package.

const decode = (b: Buffer): { name: string; dependency: string[]; service: Array<{ name: string }> } =>
  FileDescriptorProto.toObject(FileDescriptorProto.decode(b), { arrays: true }) as { name: string; dependency: string[]; service: Array<{ name: string }> };

describe("reflection's FileDescriptorProtos", () => {
  const files = new ProtoFiles(ProtoRegistry.load(join(__dirname, "../../../fixtures/proto/all.proto")).root);

  it("the file of a service comes with the files it imports, and declares them", () => {
    const got = files.containing("demo.all.Store").map(decode);
    expect(got[0]!.service.map((s) => s.name)).toContain("Store");
    expect(got[0]!.dependency.length).toBeGreaterThan(0);
    expect(got.map((f) => f.name)).toEqual(expect.arrayContaining(got[0]!.dependency));
  });

  it("finds methods, messages and files by name; unknown ones are empty", () => {
    expect(files.containing(".demo.all.Store.Put")).toHaveLength(files.containing("demo.all.Store").length);
    expect(files.containing("demo.common.Point").map(decode)[0]!.name).toBe(files.containing("demo.all.Store").map(decode)[0]!.dependency[0]);
    expect(files.containing("no.Such")).toEqual([]);
    expect(files.byName("nope.proto")).toEqual([]);
    const first = decode(files.containing("demo.all.Store")[0]!);
    expect(files.byName(first.name).map(decode)[0]!.name).toBe(first.name);
  });
});
