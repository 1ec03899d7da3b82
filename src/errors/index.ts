export { MicroError, type MicroErrorJSON } from "./micro-error";
export { ErrorIds, type ErrorId, StatusText, NOT_DELIVERED_IDS } from "./codes";
export * from "./factories";
