#!/usr/bin/env node
import "reflect-metadata";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import { CommanderError } from "commander";
import { createClient } from "../di/create-client";
import { MicroError } from "../errors";
import { buildProgram } from "./program";
import { packageVersion } from "./version";

// The `tsmicro` binary (also installed as `micro`). Provider flags (--registry=…) are read from
// argv like a service reads them.
const argv = process.argv.slice(2);
const program = buildProgram(
  {
    connect: () => createClient({ argv }),
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    lines: () => createInterface({ input: process.stdin, crlfDelay: Infinity }),
  },
  { name: basename(process.argv[1] ?? "") === "micro" ? "micro" : "tsmicro", version: packageVersion() },
);

program.parseAsync(process.argv).then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    process.stderr.write(`${MicroError.is(err) ? err.toString() : err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
