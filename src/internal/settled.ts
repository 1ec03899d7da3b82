/**
 * One already-resolved promise, returned where the work finished before the call returned (a
 * message queued, a publish accepted). Callers compare with it to skip a promise reaction; the
 * public names for it are `QUEUED` (transports) and `ACCEPTED` (brokers).
 */
export const SETTLED: Promise<void> = Promise.resolve();
