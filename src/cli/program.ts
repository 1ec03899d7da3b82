import { Command } from "commander";
import { FLAGS } from "../cmd/config";
import type { StandaloneClient } from "../di/create-client";
import { ErrorIds, MicroError, notFound } from "../errors";
import { generateTo } from "../codegen/generate";
import { logsCommand, nodesOf, onNode, statsTable, traceTable } from "./debug";
import { formatService } from "./format";
import { streamCommand } from "./stream";

/** What the commands need from the outside world; injectable so tests can capture output. */
export interface CliIO {
  connect(): Promise<StandaloneClient>;
  out(text: string): void;
  err(text: string): void;
  /** The lines of standard input (for `micro stream` without message arguments). */
  lines?(): AsyncIterable<string>;
}

/** Parses a JSON argument or fails with a message naming the argument. */
function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Parses a positive number option or fails naming it. */
function positiveNumber(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${what} wants a positive number, got "${text}"`);
  return n;
}

/** Ctrl-C (or SIGTERM) as an abort signal for `--watch` and `--follow`, and a sleep it interrupts. */
function untilInterrupted(): { signal: AbortSignal; sleep(ms: number): Promise<void>; dispose(): void } {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return {
    signal: controller.signal,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        controller.signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
      }),
    dispose: () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    },
  };
}

/** How the program names itself in help and what `--version` prints. */
export interface ProgramInfo {
  /** The command name shown in usage lines, default "micro". */
  name?: string;
  /** Printed by `-v, --version`; without it the program has no version option. */
  version?: string;
}

/** Builds the `micro` command. Every command takes the same provider flags a service does. */
export function buildProgram(io: CliIO, info: ProgramInfo = {}): Command {
  const program = new Command(info.name ?? "micro").description("tsmicro command line: list, inspect, call and publish").exitOverride();
  if (info.version !== undefined) program.version(info.version, "-v, --version", "print the tsmicro version");
  program.configureOutput({ writeOut: io.out, writeErr: io.err });
  const withFlags = (cmd: Command): Command => {
    for (const [flag] of FLAGS) cmd.option(`--${flag} <value>`, `same as MICRO_${flag.toUpperCase()}`);
    return cmd;
  };
  // Provider flags are accepted before the command too (`micro --registry=memory list services`).
  withFlags(program);
  const run = (fn: (c: StandaloneClient) => Promise<void>) => async (): Promise<void> => {
    const c = await io.connect();
    try {
      await fn(c);
    } finally {
      await c.close();
    }
  };

  const list = program.command("list").description("list things in the registry");
  withFlags(list.command("services").description("list registered services")).action(
    run(async ({ registry }) => {
      const names = [...new Set((await registry.listServices()).map((s) => s.name))].sort();
      if (names.length > 0) io.out(names.join("\n") + "\n");
    }),
  );

  const get = program.command("get").description("show things in the registry");
  withFlags(get.command("service <name>").description("versions, nodes and endpoints of a service")).action(
    async (name: string) =>
      run(async ({ registry }) => {
        const records = await registry.getService(name);
        if (records.length === 0) throw notFound(`service "${name}" not found`, ErrorIds.serviceNotFound);
        io.out(formatService(records));
      })(),
  );

  withFlags(program.command("call <service> <endpoint> [request]").description("call an endpoint with a JSON request")).action(
    async (service: string, endpoint: string, request = "{}") => {
      const body = parseJson(request, "request");
      await run(async ({ client }) => {
        const res = await client.call(service, endpoint, body);
        io.out(JSON.stringify(res, null, 2) + "\n");
      })();
    },
  );

  withFlags(
    program
      .command("stream <service> <endpoint> [messages...]")
      .description("open a stream: send each JSON message (or stdin's lines), print each response as a JSON line"),
  ).action(async (service: string, endpoint: string, messages: string[]) => {
    const bodies = messages.map((m, i) => parseJson(m, `message ${i + 1}`));
    await run((c) => streamCommand(c.client, service, endpoint, bodies.length > 0 ? bodies : io.lines?.() ?? [], io))();
  });

  withFlags(program.command("publish <topic> <message>").description("publish a JSON event")).action(
    async (topic: string, message: string) => {
      const body = parseJson(message, "message");
      await run(async ({ client }) => {
        await client.publish(topic, body);
        io.out(`published to ${topic}\n`);
      })();
    },
  );

  withFlags(program.command("stats <service>").description("Debug.Stats of every node: uptime, memory, event-loop lag, requests, errors, GC"))
    .option("--watch [seconds]", "refresh every few seconds (default 2) until Ctrl-C")
    .action(async (service: string, opts: { watch?: string | boolean }) =>
      run(async ({ client, registry }) => {
        const every = opts.watch === undefined || opts.watch === false ? undefined : positiveNumber(opts.watch === true ? "2" : opts.watch, "--watch");
        const stop = untilInterrupted();
        do {
          io.out(await statsTable(client, service, await nodesOf(registry, service)));
          if (every !== undefined) await stop.sleep(every * 1000);
        } while (every !== undefined && !stop.signal.aborted);
        stop.dispose();
      })(),
    );

  withFlags(program.command("logs <service>").description("recent log records of every node (Debug.Log)"))
    .option("-f, --follow", "keep printing new records until Ctrl-C")
    .option("--count <n>", "records per node (default 100)")
    .option("--since <seconds>", "only records from the last N seconds")
    .action(async (service: string, opts: { follow?: boolean; count?: string; since?: string }) =>
      run(async ({ client, registry }) => {
        const request = {
          count: opts.count === undefined ? undefined : positiveNumber(opts.count, "--count"),
          since: opts.since === undefined ? undefined : Date.now() / 1000 - positiveNumber(opts.since, "--since"),
          follow: opts.follow === true,
        };
        const stop = untilInterrupted();
        try {
          await logsCommand(client, service, await nodesOf(registry, service), request, io, opts.follow ? stop.signal : undefined);
        } finally {
          stop.dispose();
        }
      })(),
    );

  withFlags(program.command("trace <service>").description("recent spans of every node (Debug.Trace)"))
    .option("--count <n>", "spans per node (default 100)")
    .option("--trace_id <id>", "only the spans of one trace")
    .action(async (service: string, opts: { count?: string; trace_id?: string }) =>
      run(async ({ client, registry }) => {
        const request = { count: opts.count === undefined ? undefined : positiveNumber(opts.count, "--count"), traceId: opts.trace_id };
        io.out(await traceTable(client, service, await nodesOf(registry, service), request));
      })(),
    );

  withFlags(program.command("health <service>").description("call Debug.Health on every node of a service")).action(
    async (service: string) =>
      run(async ({ client, registry }) => {
        const nodes = (await registry.getService(service)).flatMap((r) => r.nodes);
        if (nodes.length === 0) throw notFound(`service "${service}" not found`, ErrorIds.serviceNotFound);
        let failed = 0;
        for (const node of nodes) {
          try {
            const res = (await client.call(service, "Debug.Health", {}, onNode(node))) as { status?: string };
            io.out(`${node.id}\t${node.address}\t${res.status ?? "unknown"}\n`);
            if (res.status !== "ok") failed++;
          } catch (err) {
            failed++;
            io.out(`${node.id}\t${node.address}\t${MicroError.is(err) ? err.toString() : String(err)}\n`);
          }
        }
        if (failed > 0) throw new Error(`${failed} of ${nodes.length} nodes unhealthy`);
      })(),
  );
  program
    .command("generate <protos...>")
    .description("generate TypeScript (message types, typed clients, handler interfaces) from .proto files")
    .requiredOption("--out <dir>", "folder to write <name>.pb.ts files into")
    .option("-I, --include <dir...>", "folders searched for imported .proto files")
    .option("--import_from <module>", "module the generated code imports tsmicro from", "tsmicro")
    .action((protos: string[], opts: { out: string; include?: string[]; import_from: string }) => {
      const written = generateTo(protos, opts.out, { includeDirs: opts.include, importFrom: opts.import_from });
      io.out(written.map((f) => `wrote ${f}\n`).join(""));
    });
  return program;
}
