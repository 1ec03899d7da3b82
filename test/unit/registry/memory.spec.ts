import { MemoryRegistry } from "../../../src/registry/memory";
import { describeRegistryContract } from "../../contract/registry.contract";

describeRegistryContract("memory", () => new MemoryRegistry());
