import "reflect-metadata";
import { IsInt, IsString, Length, ValidateNested } from "class-validator";
import { Type } from "class-transformer";
import { Context, Handler, Service, Subscribe } from "../../../src";
import { defaultEndpointName, describeType, explore } from "../../../src/discovery";

class Address {
  @IsString() city!: string;
}
class Person {
  @IsString() @Length(1, 10) name!: string;
  @IsInt() age!: number;
  @ValidateNested() @Type(() => Address) address!: Address;
}
class Greeting {
  @IsString() text!: string;
}

@Service("people", { version: "2.1.0", metadata: { team: "core" } })
class People {
  calls = 0;
  @Handler({ response: Greeting })
  async greet(req: Person): Promise<Greeting> {
    this.calls++;
    return { text: `hi ${req.name}` };
  }
  @Handler("Custom.Name")
  async other(): Promise<number> {
    return 1;
  }
  @Subscribe("person.created", { queue: "people" })
  async onCreated(_p: Person): Promise<void> {}
}

describe("explore", () => {
  it("turns decorated methods into descriptors with default and explicit names", () => {
    const inst = new People();
    const e = explore(inst);
    expect(e.service).toEqual({ name: "people", version: "2.1.0", metadata: { team: "core" } });
    expect(e.handlers.map((h) => h.endpoint)).toEqual(["People.Greet", "Custom.Name"]);
    expect(e.handlers[0]!.requestType).toBe(Person);
    expect(e.handlers[0]!.responseType).toBe(Greeting);
    expect(e.handlers[0]!.validate).toBe(true);
    expect(e.handlers[1]!.requestType).toBeUndefined();
    expect(e.handlers[1]!.validate).toBe(false);
    expect(e.subscribers).toEqual([expect.objectContaining({ topic: "person.created", queue: "people", eventType: Person })]);
  });

  it("carries forbidNonWhitelisted from @Handler and @Subscribe options", () => {
    class Strict {
      @Handler({ forbidNonWhitelisted: true })
      async save(_p: Person): Promise<void> {}
      @Subscribe("person.saved", { forbidNonWhitelisted: false })
      async onSaved(_p: Person): Promise<void> {}
    }
    const e = explore(new Strict());
    expect(e.handlers[0]).toMatchObject({ endpoint: "Strict.Save", forbidNonWhitelisted: true, requestType: Person });
    expect(e.subscribers[0]).toMatchObject({ forbidNonWhitelisted: false, eventType: Person });
  });

  it("carries the delivery options of @Subscribe, and none when it set none", () => {
    class Durable {
      @Subscribe("order.placed", { queue: "billing", delivery: "at-least-once", maxAttempts: 7, backoff: { initialMs: 20 }, deadLetter: "orders.dead" })
      async onPlaced(_p: Person): Promise<void> {}
    }
    expect(explore(new Durable()).subscribers[0]).toMatchObject({
      queue: "billing",
      delivery: { delivery: "at-least-once", maxAttempts: 7, backoff: { initialMs: 20 }, deadLetter: "orders.dead" },
    });
    expect(explore(new People()).subscribers[0]!.delivery).toBeUndefined();
  });

  it("binds invoke to the instance", async () => {
    const inst = new People();
    const [greet] = explore(inst).handlers;
    await expect(greet!.invoke({ name: "Ann" }, new Context())).resolves.toEqual({ text: "hi Ann" });
    expect(inst.calls).toBe(1);
  });

  it("capitalises the method in default names", () => {
    expect(defaultEndpointName("Greeter", "hello")).toBe("Greeter.Hello");
  });

  it("describes classes as go-micro Value trees, nested classes expanded", () => {
    expect(describeType(Person)).toEqual({
      name: "Person",
      type: "Person",
      values: [
        { name: "name", type: "string" },
        { name: "age", type: "number" },
        { name: "address", type: "Address", values: [{ name: "city", type: "string" }] },
      ],
    });
  });
});
