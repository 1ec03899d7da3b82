import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

// `npm start`: runs the greeter service and, once it is registered, the client as a separate
// process; prints the client's answer, then stops the service with SIGTERM.

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error(`no "${pattern.source}" within ${timeoutMs}ms`)), timeoutMs);
    child.stdout!.on("data", (chunk: Buffer) => {
      buf += chunk.toString();
      const m = pattern.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.once("exit", (code) => reject(new Error(`service exited early with code ${code}`)));
  });
}

function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
}

async function main(): Promise<number> {
  const env = { ...process.env, MICRO_LOG_LEVEL: process.env.MICRO_LOG_LEVEL ?? "warn" };
  const service = spawn(process.execPath, [join(__dirname, "service.js")], { env, stdio: ["ignore", "pipe", "inherit"] });
  const serviceExit = exitCode(service);
  try {
    console.log(await waitForLine(service, /greeter ready at \S+/, 15_000));
    const client = spawn(process.execPath, [join(__dirname, "client.js"), "John"], { env, stdio: "inherit" });
    const code = await exitCode(client);
    service.kill("SIGTERM");
    const serviceCode = await serviceExit;
    console.log(`client exited ${code}, service exited ${serviceCode}`);
    return code || serviceCode;
  } catch (err) {
    console.error(String(err));
    service.kill("SIGKILL");
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
